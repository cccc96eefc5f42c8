--[[
  An invoice trigger's Redis work before its evaluation, in one command: its memo, the invoices
  that depend on it, its own state, read as they are before the invoice is written to its
  supplier's index; then that write and the index's length. Was a GET, an SMEMBERS, an HMGET and
  a MULTI of three (eight commands per invoice on a page's path, bench/scenarios/pipeline.ts), in
  this same order on one connection.

  Named as src/pipeline/scripts.ts passes them (every key carries the {mx} tag):
  KEYS[1]  memo        the trigger's memo (string)
  KEYS[2]  dependents  the invoice's dependents set
  KEYS[3]  state       the invoice's state hash { rev, data }
  KEYS[4]  index       the supplier's invoice index (hash: record key -> invoice JSON)
  ARGV[1]  readMemo    "1" to read the memo, "0" not (shadow mode keeps none)
  ARGV[2]  field       the invoice's record key
  ARGV[3]  invoice     the invoice's JSON
  ARGV[4]  ttlMs       the index's expiry

  Result: { memo or nil, dependents, rev or nil, data or nil, index length after the write }
]]
local memo = false
if ARGV[1] == "1" then memo = redis.call("GET", KEYS[1]) end
local dependents = redis.call("SMEMBERS", KEYS[2])
local state = redis.call("HMGET", KEYS[3], "rev", "data")
redis.call("HSET", KEYS[4], ARGV[2], ARGV[3])
redis.call("PEXPIRE", KEYS[4], ARGV[4])
return { memo, dependents, state[1], state[2], redis.call("HLEN", KEYS[4]) }
