-- Commit one evaluation of the exception pipeline: the next state of every invoice it touched,
-- the dependency index changes and the memo of the alerts it produced, all or nothing. Each
-- state is written only if its revision is still the one the evaluation read (optimistic
-- concurrency: an invoice poll and a PO poll may evaluate the same invoice at once).
-- Named as src/pipeline/scripts.ts passes them:
-- KEYS[1] memo       memo key (string)
-- ARGV[1] memo       memo JSON ("" = none)
-- ARGV[2] memoTtlMs  ARGV[3] stateTtlMs
-- ARGV[4] states     n, the number of invoice states written
-- The tail:
-- KEYS[2 .. 1+n]     invoice state hashes { rev, data }
-- KEYS[2+n .. 1+n+m] dependents sets, one per dependency operation
-- ARGV[5 .. 4+2n]    per state: expected rev ("0" = absent), next state JSON ("" = delete)
-- ARGV[5+2n]         m; ARGV[6+2n .. 5+2n+m] per operation: "+member" (SADD) or "-member" (SREM)
-- Returns 1 when committed, 0 when a revision moved or the memo already exists (nothing written).
-- A memo already there means this trigger was committed before: this very script run again
-- (the client resends a command whose reply a dropped connection lost, e.g. a Redis restart) or
-- another worker handling the same record version. Writing again would replace the memo with a
-- re-evaluation that sees its exceptions already open (no alerts), and the alerts the first
-- commit promised would never be stored.
if ARGV[1] ~= "" and redis.call("EXISTS", KEYS[1]) == 1 then
  return 0
end
local n = tonumber(ARGV[4])
for i = 1, n do
  local current = redis.call("HGET", KEYS[1 + i], "rev") or "0"
  if current ~= ARGV[3 + 2 * i] then
    return 0
  end
end
local stateTtl = tonumber(ARGV[3])
for i = 1, n do
  local key = KEYS[1 + i]
  local data = ARGV[4 + 2 * i]
  if data == "" then
    redis.call("DEL", key)
  else
    local rev = tonumber(ARGV[3 + 2 * i]) + 1
    redis.call("HSET", key, "rev", tostring(rev), "data", data)
    redis.call("PEXPIRE", key, stateTtl)
  end
end
local m = tonumber(ARGV[5 + 2 * n])
for j = 1, m do
  local op = ARGV[5 + 2 * n + j]
  local key = KEYS[1 + n + j]
  local member = string.sub(op, 2)
  if string.sub(op, 1, 1) == "+" then
    redis.call("SADD", key, member)
  else
    redis.call("SREM", key, member)
  end
end
if ARGV[1] ~= "" then
  redis.call("SET", KEYS[1], ARGV[1], "PX", tonumber(ARGV[2]))
end
return 1
