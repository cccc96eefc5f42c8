--[[
  Requests-per-minute budget shared by every replica: GCRA (generic cell rate algorithm) that
  RESERVES the next slot and tells the caller how long to wait for it, so callers pace instead of
  failing. Time comes from the Redis server (TIME), so replicas with skewed clocks agree.

  Named as src/infor/http/scripts.ts passes them:
  KEYS[1]  tat: theoretical arrival time (TAT) of the budget, microseconds since the epoch
  ARGV[1]  intervalUs: emission interval in microseconds (window / limit, plus headroom)
  ARGV[2]  burst: requests that may start back to back (>= 1)
  ARGV[3]  maxWaitUs: max wait in microseconds: if the slot is further away, nothing is reserved

  Result   { reserved (1|0), wait_us }: wait_us until the reserved slot (0 = go now); when
           reserved = 0, wait_us is how far away the next slot is.
]]
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end

local tolerance = (burst - 1) * interval
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
if wait > max_wait then
  return { 0, math.floor(wait) }
end

local new_tat = tat + interval
-- Keep the key only while it matters: past new_tat it is equivalent to a fresh budget.
local ttl_ms = math.ceil((new_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return { 1, math.floor(wait) }
