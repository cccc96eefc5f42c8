-- Extend a poll lock only if this holder still owns it.
-- KEYS[1] lock: the lock key
-- ARGV[1] token: the holder's token, ARGV[2] ttlMs: the new ttl
-- Returns 1 when extended, 0 when the lock is gone or held by someone else.
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0
