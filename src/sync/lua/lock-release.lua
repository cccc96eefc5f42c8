-- Release a poll lock only if this holder still owns it (never another holder's lock).
-- KEYS[1] lock: the lock key
-- ARGV[1] token: the holder's token
-- Returns 1 when released, 0 otherwise.
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
