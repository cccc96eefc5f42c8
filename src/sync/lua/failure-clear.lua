-- A poll succeeded: end the run of failures and say whether a recovery message is owed.
-- KEYS[1] failures: the failures hash (fields: count, since, alerted)
-- Returns {alerted (1|0), count, since}; the hash is deleted atomically, so only one caller
-- (of many replicas) sees alerted = 1 and posts the recovery message.
local vals = redis.call("HMGET", KEYS[1], "alerted", "count", "since")
redis.call("DEL", KEYS[1])
local alerted = 0
if vals[1] then alerted = 1 end
return {alerted, tonumber(vals[2] or "0"), vals[3] or ""}
