--[[
  Sign-ins allowed per rolling window, shared by every replica using the same service account
  (ION allows a service account only tens of sign-ins a minute: infor-ion-api.md). A sorted set
  holds one member per sign-in, scored by its time; time comes from the Redis server (TIME).

  Named as src/infor/http/scripts.ts passes them:
  KEYS[1]  signIns: sorted set of recent sign-ins
  ARGV[1]  windowMs: the window
  ARGV[2]  max: sign-ins allowed per window
  ARGV[3]  member: unique member for this sign-in (e.g. pid + counter)

  Result   0 when the sign-in is allowed (and recorded); otherwise the milliseconds until the
           oldest sign-in leaves the window (nothing recorded).
]]
local window = tonumber(ARGV[1])
local max = tonumber(ARGV[2])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= max then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + window - now
  if wait < 1 then wait = 1 end
  return wait
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
