--[[
  Reserve the next call of one Web API method for every replica at once (GCRA on the method's
  tier: "Tier 3: 50+ per minute" is one call per 1.2 s, a small burst tolerated).

  Named as src/delivery/scripts.ts passes them:
  KEYS[1]  tat: the method's TAT key (epoch ms), shared with delivery's pacer (chat.update, history)

  ARGV[1]  now: epoch ms; "" = Redis server time
  ARGV[2]  intervalMs
  ARGV[3]  toleranceMs (burst)
  ARGV[4]  maxWaitMs: longest wait the caller accepts, ms: a slot further out is not reserved

  Result: wait ms until the reserved slot (0 = now), or -wait when not reserved (too far)
]]
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call("TIME")
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local maxWait = tonumber(ARGV[4])
local tat = tonumber(redis.call("GET", KEYS[1]) or "0")
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
if wait > maxWait then return -math.ceil(wait) end
local nextTat = tat + interval
redis.call("SET", KEYS[1], nextTat, "PX", math.ceil(nextTat - now + tolerance + 1000))
return math.ceil(wait)
