--[[
  Learn from one chat.postMessage outcome in a channel, for every replica at once: the same
  rules as pacing-math.ts (afterSuccess, after429, blameOf, workspace factor).

  Named as src/delivery/scripts.ts passes them:
  KEYS[1]  pace: channel pace hash: a (allowance), c (allowance that drew the last 429), n (successes
           since), and from pacer-take.lua at the grant: g (gap before it), p (pressed)
  KEYS[2]  workspacePace: workspace pace hash: f (factor), c (allowance of the latest channel 429 anywhere),
           n (posts since it)
  KEYS[3]  blocked: channel blocked-until key
  KEYS[4]  tat: channel GCRA key: after a 429 its TAT moves past the wait (no catch-up burst follows
           it); after a success it is at least now + one spacing (see tatAfterSuccess in
           pacing-math.ts: the post reached Slack at the latest now, not when it was granted)

  ARGV[1]  now: epoch ms; "" = Redis server time
  ARGV[2]  event: "ok" or "429"
  ARGV[3]  retryAfterMs: Retry-After (429 only)
  ARGV[4]  channelIntervalMs
  ARGV[5..10] start, min, max, step, margin, holdSuccesses
  ARGV[11..13] workspaceDecrease, workspaceIncrease, workspaceMinFactor
  ARGV[14] learnTtlMs: ttl of the learned state
  ARGV[15] fixed: "1" when the allowance is fixed by configuration (learn only the workspace)

  Result: { allowance, factor, blame } as strings (blame "" for a success)
]]
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call("TIME")
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local interval = tonumber(ARGV[4])
local start, amin, amax = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local step, margin, hold = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local wdec, winc, wmin = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
local ttl = tonumber(ARGV[14])
local fixed = ARGV[15] == "1"

local h = redis.call("HMGET", KEYS[1], "a", "c", "n", "g", "p")
local a = tonumber(h[1] or "") or start
local c = tonumber(h[2] or "")
local n = tonumber(h[3] or "") or 0
local gap = tonumber(h[4] or "") or 0
local pressed = h[5] == "1"
local wsh = redis.call("HMGET", KEYS[2], "f", "c", "n")
local f = tonumber(wsh[1] or "") or 1
-- the allowance that drew the latest channel 429 anywhere: Slack's burst policy is the
-- workspace's, so every channel stays below it while it is remembered (10 x hold posts)
local wc = tonumber(wsh[2] or "")
local wn = tonumber(wsh[3] or "") or 0
local blame = ""
-- a 429 above zero never teaches below zero: slots count from answers, so at zero two posts
-- reach Slack an interval apart at least (noLowerThanZeroFrom in pacing-math.ts)
local function below(hit, value)
  if hit > 0 and value < 0 then return 0 end
  return value
end

if ARGV[2] == "ok" then
  -- Slack counted this post when it arrived, somewhere between its grant and now; the grant's
  -- TAT assumed the grant. A send delayed after its grant (a busy worker, a slow network) would
  -- otherwise let the next post reach Slack closer than the channel allows.
  local spacing = interval
  if a < 0 and not fixed then spacing = interval * (1 - a) end
  local tat = tonumber(redis.call("GET", KEYS[4]) or "0")
  if now + spacing > tat then
    redis.call("SET", KEYS[4], now + spacing, "PX", math.ceil(spacing + 1000))
  end
  n = n + 1
  local remembered = c ~= nil and n < hold
  if not remembered then c = nil end
  wn = wn + 1
  if wc ~= nil and wn >= 10 * hold then wc = nil end
  if pressed and not fixed then
    local cap = amax
    if remembered then cap = math.min(amax, below(c, c - margin)) end
    if wc ~= nil then cap = math.min(cap, below(wc, wc - margin)) end
    if a < cap then a = math.min(cap, a + step) else a = cap end
  end
  f = math.min(1, f + winc)
else
  local retryAfter = tonumber(ARGV[3])
  -- idle = longer than the channel's own spacing (wider after 429s) plus half an interval
  if gap >= (1.5 + math.max(0, -a)) * interval then
    blame = "workspace"
    f = math.max(wmin, f * wdec)
  else
    blame = "channel"
    if not fixed then
      local halved = math.min(a / 2, a - margin / 2)
      local nextA = below(a, math.min(halved, a - margin))
      c = a
      n = 0
      if wc == nil or a < wc then wc = a end
      wn = 0
      a = math.max(amin, math.min(amax, nextA))
    end
  end
  -- One wait for this channel: blocked until Retry-After, and no catch-up burst after it.
  local untilMs = now + retryAfter
  local current = tonumber(redis.call("GET", KEYS[3]) or "0")
  if untilMs > current then redis.call("SET", KEYS[3], untilMs, "PX", math.ceil(retryAfter + 1000)) end
  local tat = tonumber(redis.call("GET", KEYS[4]) or "0")
  if untilMs > tat then redis.call("SET", KEYS[4], untilMs, "PX", math.ceil(retryAfter + 1000)) end
end

if c then
  redis.call("HSET", KEYS[1], "a", a, "c", c, "n", n)
else
  redis.call("HSET", KEYS[1], "a", a, "n", n)
  redis.call("HDEL", KEYS[1], "c")
end
redis.call("PEXPIRE", KEYS[1], ttl)
redis.call("HSET", KEYS[2], "f", f, "n", wn)
if wc then redis.call("HSET", KEYS[2], "c", wc) else redis.call("HDEL", KEYS[2], "c") end
redis.call("PEXPIRE", KEYS[2], ttl)
return { tostring(a), tostring(f), blame }
