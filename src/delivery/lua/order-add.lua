--[[
  Register an alert as pending in its channel, in arrival order (first registration wins).

  KEYS[1]  channel order zset (member = alert id, score = sequence)
  KEYS[2]  channel sequence counter
  ARGV[1]  member (alert id)

  Result: the member's sequence number (existing or new).
]]
local score = redis.call("ZSCORE", KEYS[1], ARGV[1])
if score then return tonumber(score) end
local seq = redis.call("INCR", KEYS[2])
redis.call("ZADD", KEYS[1], seq, ARGV[1])
return seq
