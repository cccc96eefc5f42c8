--[[
  Move one approval from an allowed state to a target state, exactly once.

  Concurrent or double clicks all run this script; Redis runs scripts one at a time, so the
  first caller whose "from" list holds the current state wins and every later caller sees the
  new state and is refused with who moved it and when.

  Input:
    KEYS[1] approval hash          (fields: state, lastBy, lastAt, lastReason, decidedBy, ...)
    KEYS[2] open approvals zset    (member: approval id; removed when the target is final)
    KEYS[3] actor's decisions zset (member: approval id, score: ARGV[7]; only when ARGV[9] = "1")

    ARGV[1] approval id
    ARGV[2] allowed current states, comma separated ("pending,hold,escalated")
    ARGV[3] target state
    ARGV[4] actor (Slack user id, or "system")
    ARGV[5] time as ISO 8601 UTC
    ARGV[6] reason ("" for none); for target info_requested "<asked user>\n<question>"
    ARGV[7] time in epoch milliseconds (zset score)
    ARGV[8] "1" when the target state is final
    ARGV[9] "1" to record the transition in the actor's recent decisions
    ARGV[10] how many recent decisions to keep per actor
    ARGV[11] seconds to keep a finally decided approval (the audit log keeps the history)

  Optional audit entry, written with the transition when KEYS[4] is given (one step: a worker
  killed right after the transition would otherwise leave a decision the audit log never saw):
    KEYS[4]   audit stream
    KEYS[5..] audit index sorted sets (as src/audit/append.lua)
    ARGV[12]  audit MAXLEN for approximate trimming, or "" for none
    ARGV[13..] field, value pairs of the entry

  Output:
    {1, newState}                                   moved (and audited when KEYS[4] is given)
    {0, currentState, lastBy, lastAt, lastReason}   refused: current state not allowed
    {-1}                                            no such approval
]]
local current = redis.call("HGET", KEYS[1], "state")
if not current then
  return {-1}
end

local allowed = false
for s in string.gmatch(ARGV[2], "([^,]+)") do
  if s == current then
    allowed = true
    break
  end
end

if not allowed then
  local last = redis.call("HMGET", KEYS[1], "lastBy", "lastAt", "lastReason")
  return {0, current, last[1] or "", last[2] or "", last[3] or ""}
end

-- The entry first: an error in XADD then stops the script before the state has moved.
if KEYS[4] then
  local xadd = { KEYS[4] }
  if ARGV[12] ~= "" then
    table.insert(xadd, "MAXLEN")
    table.insert(xadd, "~")
    table.insert(xadd, ARGV[12])
  end
  table.insert(xadd, "*")
  for i = 13, #ARGV do table.insert(xadd, ARGV[i]) end
  local entry = redis.call("XADD", unpack(xadd))
  local ms = tonumber(string.match(entry, "^(%d+)"))
  for i = 5, #KEYS do redis.call("ZADD", KEYS[i], ms, entry) end
end

local reason = ARGV[6]
local asked = ""
if ARGV[3] == "info_requested" then
  -- Who is asked travels with the question so both land in this one step.
  asked, reason = string.match(ARGV[6], "^([^\n]*)\n(.*)$")
  if not asked then asked, reason = "", ARGV[6] end
end

redis.call("HSET", KEYS[1], "state", ARGV[3], "lastBy", ARGV[4], "lastAt", ARGV[5],
  "lastReason", reason, "updatedAt", ARGV[5])

if ARGV[8] == "1" then
  redis.call("HSET", KEYS[1], "decidedBy", ARGV[4], "decidedAt", ARGV[5], "reason", ARGV[6])
  redis.call("ZREM", KEYS[2], ARGV[1])
  redis.call("EXPIRE", KEYS[1], tonumber(ARGV[11]))
end
if ARGV[3] == "escalated" then
  redis.call("HSET", KEYS[1], "escalatedAt", ARGV[5])
end
-- A question (the reason) waits with who asked it; the answer clears it (the audit log keeps it).
if ARGV[3] == "info_requested" then
  redis.call("HSET", KEYS[1], "infoBy", ARGV[4], "infoAt", ARGV[5], "infoQuestion", reason,
    "infoAsked", asked)
elseif current == "info_requested" and ARGV[3] == "pending" then
  redis.call("HDEL", KEYS[1], "infoBy", "infoAt", "infoQuestion", "infoAsked")
end

if ARGV[9] == "1" then
  redis.call("ZADD", KEYS[3], ARGV[7], ARGV[1])
  local keep = tonumber(ARGV[10])
  if keep and keep > 0 then
    redis.call("ZREMRANGEBYRANK", KEYS[3], 0, -(keep + 1))
  end
end

return {1, ARGV[3]}
