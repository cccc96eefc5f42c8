-- Count one more consecutive poll failure; say whether this is the one that must alert.
-- KEYS[1] failures: the failures hash (fields: count, since, alerted)
-- ARGV[1] threshold: N, ARGV[2] now: ISO timestamp
-- Returns {count, alertNow (1|0), since}. alertNow is 1 exactly once per run of failures.
local count = redis.call("HINCRBY", KEYS[1], "count", 1)
redis.call("HSETNX", KEYS[1], "since", ARGV[2])
local alertNow = 0
if count >= tonumber(ARGV[1]) and redis.call("HSETNX", KEYS[1], "alerted", "1") == 1 then
  alertNow = 1
end
return {count, alertNow, redis.call("HGET", KEYS[1], "since")}
