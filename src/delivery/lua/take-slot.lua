-- Included by pacer-take.lua and claim-post.lua: the slot decision of pacer-take.lua (its header
-- names KEYS[1..5], ARGV[1..7] and the buckets), as a function of the number of buckets `nb`
-- (KEYS[6..5+nb], ARGV[8..7+3nb]), so a script may pass keys and arguments of its own after them.
-- Returns the reply pacer-take.lua documents.
local function take_slot(nb)
  local now = tonumber(ARGV[1])
  if not now then
    local t = redis.call("TIME")
    now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  local member = ARGV[2]
  local chanInterval = tonumber(ARGV[3])
  local ttl = tonumber(ARGV[6])

  local allowance = tonumber(ARGV[5])
  if not allowance then
    allowance = tonumber(redis.call("HGET", KEYS[3], "a") or "") or tonumber(ARGV[4])
  end
  local factor = tonumber(redis.call("HGET", KEYS[4], "f") or "") or 1

  local waitRate = 0
  local tats = {}
  local chanTat = nil
  for i = 1, nb do
    local interval = tonumber(ARGV[5 + 3 * i])
    local tolerance = tonumber(ARGV[6 + 3 * i])
    local mode = ARGV[7 + 3 * i]
    if mode == "chan" then
      if allowance < 0 then
        interval = interval * (1 - allowance)
        tolerance = 0
      else
        tolerance = allowance * interval
      end
    elseif mode == "ws" then
      interval = interval / factor
    end
    local stored = tonumber(redis.call("GET", KEYS[5 + i]) or "0")
    if mode == "chan" then chanTat = stored end
    local tat = stored
    if tat < now then tat = now end
    local allowAt = tat - tolerance
    if allowAt > now and allowAt - now > waitRate then waitRate = allowAt - now end
    tats[i] = { tat, interval, tolerance }
  end

  local blockedUntil = tonumber(redis.call("GET", KEYS[2]) or "0")
  local waitBlock = 0
  if blockedUntil > now then waitBlock = blockedUntil - now end

  local rank = redis.call("ZRANK", KEYS[1], member)
  if not rank then
    return { 4, 0, redis.call("ZRANGE", KEYS[1], 0, 0)[1] or "" }
  end
  if rank > 0 then
    local head = redis.call("ZRANGE", KEYS[1], 0, 0)[1] or ""
    -- If everyone ahead goes at its earliest slot, this member's turn comes at about
    -- the first bucket's TAT - tolerance + rank * interval.
    local first = tats[1]
    local turn = 0
    if first then turn = first[1] - first[3] + rank * first[2] - now end
    if turn < 0 then turn = 0 end
    return { 1, math.max(turn, waitBlock), head, rank }
  end
  if ARGV[7] == "edit" then
    local mine = redis.call("ZSCORE", KEYS[1], member)
    local oldest = redis.call("ZRANGE", KEYS[5], 0, 0, "WITHSCORES")
    if mine and oldest[2] and tonumber(oldest[2]) < tonumber(mine) then
      -- an older post first: the edit may be of the message it is about to post
      return { 1, math.max(chanInterval, waitBlock), oldest[1], 1 }
    end
  end

  if ARGV[7] ~= "edit" and waitBlock > 0 then return { 3, waitBlock, member } end
  if waitRate > 0 then return { 2, waitRate, member } end

  for i = 1, nb do
    local t = tats[i]
    local nextTat = t[1] + t[2]
    -- keep the key only as long as it matters
    redis.call("SET", KEYS[5 + i], nextTat, "PX", math.ceil(math.max(1000, nextTat - now + t[3] + 1000)))
  end
  if chanTat then
    -- What pacer-learn.lua needs to judge this post's outcome: was the channel sending at its
    -- rate (pressed), and how long since its previous post (a 429 after a long gap was the
    -- workspace's limit, not the channel's).
    local last = tonumber(redis.call("HGET", KEYS[3], "lg") or "0")
    local gap = now - last
    local pressed = 0
    if chanTat >= now - chanInterval / 2 or redis.call("ZCARD", KEYS[1]) > 1 then pressed = 1 end
    redis.call("HSET", KEYS[3], "lg", now, "g", gap, "p", pressed)
    redis.call("PEXPIRE", KEYS[3], ttl)
  end
  return { 0, 0, member }
end
