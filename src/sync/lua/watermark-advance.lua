-- Move a watermark forward, never back, and only while the poll still holds its lock, so a poll
-- whose lock expired (a stalled worker) cannot overwrite the progress of the one that took over.
-- KEYS[1] watermark: the watermark key, KEYS[2] lock: the poll lock key
-- ARGV[1] watermark: the new one (ISO date; lexicographic order is date order), ARGV[2] token: lock token
-- Returns the stored watermark, or false when the lock is not held by this token.
if redis.call("GET", KEYS[2]) ~= ARGV[2] then
  return false
end
local current = redis.call("GET", KEYS[1])
if (not current) or ARGV[1] > current then
  redis.call("SET", KEYS[1], ARGV[1])
  return ARGV[1]
end
return current
