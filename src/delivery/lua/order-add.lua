--[[
  Register an alert as pending in its channel, in arrival order (first registration wins).

  KEYS[1]  line: the channel line zset (member = alert id, score = sequence)
  KEYS[2]  seq: channel sequence counter
  ARGV[1]  member: alert id

  Result: { sequence, rank } — the member's sequence number (existing or new) and its place in
  the channel's line (0 = head), used to schedule the job near its turn.
]]
local score = redis.call("ZSCORE", KEYS[1], ARGV[1])
if not score then
  score = redis.call("INCR", KEYS[2])
  redis.call("ZADD", KEYS[1], score, ARGV[1])
end
return { tonumber(score), redis.call("ZRANK", KEYS[1], ARGV[1]) }
