--[[
  Move one approval from an allowed state to a target state, exactly once.

  Concurrent or double clicks all run this script; Redis runs scripts one at a time, so the
  first caller whose "from" list holds the current state wins and every later caller sees the
  new state and is refused with who moved it and when.

  Input (names as src/approvals/scripts.ts passes them):
    KEYS[1] approval   the approval hash (fields: state, lastBy, lastAt, lastReason, decidedBy, ...)
    KEYS[2] open       open approvals zset (member: approval id; removed when the target is final)
    KEYS[3] decisions  the actor's decisions zset (member: approval id, score: atMs; only when
                       personal = "1")

    ARGV[1]  id             approval id
    ARGV[2]  from           allowed current states, comma separated ("pending,hold,escalated")
    ARGV[3]  target         target state
    ARGV[4]  actor          Slack user id, or "system"
    ARGV[5]  at             time as ISO 8601 UTC
    ARGV[6]  reason         "" for none; for target info_requested "<asked user>\n<question>"
    ARGV[7]  atMs           time in epoch milliseconds (zset score)
    ARGV[8]  final          "1" when the target state is final
    ARGV[9]  personal       "1" to record the transition in the actor's recent decisions
    ARGV[10] keepDecisions  how many recent decisions to keep per actor
    ARGV[11] retainSeconds  seconds to keep a finally decided approval (the audit log keeps history)

  Optional audit entry (the call's tail), written with the transition when KEYS[4] is given (one
  step: a worker killed right after the transition would otherwise leave a decision the audit log
  never saw):
    KEYS[4]   audit stream
    KEYS[5..] audit indexes (as src/audit/append.lua)
    ARGV[12]  audit MAXLEN for approximate trimming, or "" for none
    ARGV[13]  how many of the index keys, at the end, are streams
    ARGV[14..] field, value pairs of the entry

  Output:
    {1, newState}                                   moved (and audited when KEYS[4] is given)
    {0, currentState, lastBy, lastAt, lastReason}   refused: current state not allowed
    {-1}                                            no such approval
]]
--#include ../shared/lua/stream-append.lua

local approval, open, decisions = KEYS[1], KEYS[2], KEYS[3]
local id, from, target, actor, at = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local given_reason, at_ms = ARGV[6], ARGV[7]
local final, personal = ARGV[8] == "1", ARGV[9] == "1"
local keep_decisions, retain_seconds = tonumber(ARGV[10]), tonumber(ARGV[11])

local current = redis.call("HGET", approval, "state")
if not current then
  return {-1}
end

local allowed = false
for s in string.gmatch(from, "([^,]+)") do
  if s == current then
    allowed = true
    break
  end
end

if not allowed then
  local last = redis.call("HMGET", approval, "lastBy", "lastAt", "lastReason")
  return {0, current, last[1] or "", last[2] or "", last[3] or ""}
end

-- The entry first: an error in XADD then stops the script before the state has moved.
if KEYS[4] then stream_append(4, 12) end

local reason = given_reason
local asked = ""
if target == "info_requested" then
  -- Who is asked travels with the question so both land in this one step.
  asked, reason = string.match(given_reason, "^([^\n]*)\n(.*)$")
  if not asked then asked, reason = "", given_reason end
end

redis.call("HSET", approval, "state", target, "lastBy", actor, "lastAt", at,
  "lastReason", reason, "updatedAt", at)

if final then
  redis.call("HSET", approval, "decidedBy", actor, "decidedAt", at, "reason", given_reason)
  redis.call("ZREM", open, id)
  redis.call("EXPIRE", approval, retain_seconds)
end
if target == "escalated" then
  redis.call("HSET", approval, "escalatedAt", at)
end
-- A question (the reason) waits with who asked it; the answer clears it (the audit log keeps it).
if target == "info_requested" then
  redis.call("HSET", approval, "infoBy", actor, "infoAt", at, "infoQuestion", reason,
    "infoAsked", asked)
elseif current == "info_requested" and target == "pending" then
  redis.call("HDEL", approval, "infoBy", "infoAt", "infoQuestion", "infoAsked")
end

if personal then
  redis.call("ZADD", decisions, at_ms, id)
  if keep_decisions and keep_decisions > 0 then
    redis.call("ZREMRANGEBYRANK", decisions, 0, -(keep_decisions + 1))
  end
end

return {1, target}
