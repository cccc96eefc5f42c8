-- Included by pacer-learn.lua and exit-post.lua: the lesson of one chat.postMessage outcome, with
-- pacer-learn.lua's KEYS[1..4] (pace, workspacePace, blocked, tat) at KEYS[k..k+3] and its
-- ARGV[1..15] at ARGV[a..a+14] (pacer-learn.lua's header names them and says what each is).
-- Returns pacer-learn.lua's result.
local function learn_step(k, a)
  local K = { KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3] }
  local A = {}
  for i = 1, 15 do A[i] = ARGV[a + i - 1] end
  local now = tonumber(A[1])
  if not now then
    local t = redis.call("TIME")
    now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  local interval = tonumber(A[4])
  local start, amin, amax = tonumber(A[5]), tonumber(A[6]), tonumber(A[7])
  local step, margin, hold = tonumber(A[8]), tonumber(A[9]), tonumber(A[10])
  local wdec, winc, wmin = tonumber(A[11]), tonumber(A[12]), tonumber(A[13])
  local ttl = tonumber(A[14])
  local fixed = A[15] == "1"

  local h = redis.call("HMGET", K[1], "a", "c", "n", "g", "p")
  local a = tonumber(h[1] or "") or start
  local c = tonumber(h[2] or "")
  local n = tonumber(h[3] or "") or 0
  local gap = tonumber(h[4] or "") or 0
  local pressed = h[5] == "1"
  local wsh = redis.call("HMGET", K[2], "f", "c", "n")
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

  if A[2] == "ok" then
    -- Slack counted this post when it arrived, somewhere between its grant and now; the grant's
    -- TAT assumed the grant. A send delayed after its grant (a busy worker, a slow network) would
    -- otherwise let the next post reach Slack closer than the channel allows.
    local spacing = interval
    if a < 0 and not fixed then spacing = interval * (1 - a) end
    local tat = tonumber(redis.call("GET", K[4]) or "0")
    if now + spacing > tat then
      redis.call("SET", K[4], now + spacing, "PX", math.ceil(spacing + 1000))
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
    local retryAfter = tonumber(A[3])
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
    local current = tonumber(redis.call("GET", K[3]) or "0")
    if untilMs > current then redis.call("SET", K[3], untilMs, "PX", math.ceil(retryAfter + 1000)) end
    local tat = tonumber(redis.call("GET", K[4]) or "0")
    if untilMs > tat then redis.call("SET", K[4], untilMs, "PX", math.ceil(retryAfter + 1000)) end
  end

  -- A success that teaches nothing writes nothing: no 429 remembered (no c, stored or kept), the
  -- same allowance or factor as stored. The count of successes (n) only matters while a 429 is
  -- remembered (it forgets it), and the channel's hash got its expiry at the grant
  -- (take-slot.lua); a workspace hash that expires meanwhile reads as what it held (factor 1,
  -- nothing remembered). Was two writes per hash at every post.
  local ok = A[2] == "ok"
  local same_a = ok and not c and not h[2] and h[1] and tonumber(h[1]) == a
  local same_f = ok and not wc and not wsh[2] and wsh[1] and tonumber(wsh[1]) == f
  -- One pace hash written back: the allowance (or factor), the count, the level of the 429
  -- remembered. A field to drop is deleted only when it was there (read above): one command less.
  local function save(key, field, value, count, remembered, had)
    if remembered then
      redis.call("HSET", key, field, value, "n", count, "c", remembered)
    else
      redis.call("HSET", key, field, value, "n", count)
      if had then redis.call("HDEL", key, "c") end
    end
    redis.call("PEXPIRE", key, ttl)
  end
  if not same_a then save(K[1], "a", a, n, c, h[2]) end
  if not same_f then save(K[2], "f", f, wn, wc, wsh[2]) end
  return { tostring(a), tostring(f), blame }
end
