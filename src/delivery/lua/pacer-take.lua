--[[
  Take a send slot for one alert in one channel, for every replica at once.

  Lines: new messages wait in the channel's post line, edits of messages already posted in its
  edit line. Only the head of a line may go (messages and edits stay in order). An edit also
  waits for every post enqueued before it (KEYS[5]'s head must be younger), so it never edits
  ahead of the post it follows; posts never wait for edits (posts win: an edit is paced by
  chat.update's Tier 3 bucket, far slower than a channel's one per second, and would otherwise
  hold every new message of its channel behind it).
  Pacing: GCRA ("theoretical arrival time", a reserved next slot) per bucket. The channel's
  bucket uses the allowance learned in KEYS[3] (pacer-learn.lua; see pacing-math.ts), the
  workspace's the configured interval divided by the factor learned in KEYS[4]; method buckets
  are fixed. A 429 blocks the channel until its Retry-After (KEYS[2]). All buckets or none.

  Named as src/delivery/scripts.ts passes them (the buckets are the call's tail):
  KEYS[1]  line: the member's line (zset: member = alert id, score = channel sequence)
  KEYS[2]  blocked: channel blocked-until key (epoch ms; absent = not blocked)
  KEYS[3]  pace: channel pace hash: a (allowance), and at each grant lg (time), g (gap), p (pressed)
  KEYS[4]  workspacePace: workspace pace hash: f (factor, default 1)
  KEYS[5]  postLine: the channel's post line (an edit waits for older posts; same as KEYS[1] for a post)
  KEYS[6..] GCRA keys (value = theoretical arrival time, epoch ms)

  ARGV[1]  now: epoch ms; "" = Redis server time (one clock for all replicas)
  ARGV[2]  member: alert id asking to send
  ARGV[3]  channelIntervalMs: channel interval (steady rate; the rank estimate uses it)
  ARGV[4]  startAllowance: allowance of a channel never seen ("" = none learned yet: start value)
  ARGV[5]  fixedAllowance: ("" = learn)
  ARGV[6]  learnTtlMs: how long learned state is kept, ms
  ARGV[7]  line: "post" or "edit"
  ARGV[5+3i], ARGV[6+3i], ARGV[7+3i] for KEYS[5+i]: interval ms, tolerance ms, mode
           mode "chan" = the channel's learned bucket, "ws" = workspace, "fixed"

  Result: { status, waitMs, head[, rank] }
    0 granted; 1 not the head (or an older post is pending): its turn comes in about waitMs,
      after `rank` alerts ahead of it (1 for an edit waiting for an older post);
    2 rate: retry in waitMs; 3 channel blocked by a 429: retry in waitMs;
    4 not in the line at all (rolled into a digest, delivered, or dropped): never granted, since
      a member outside its line is no longer the channel's to send (a digest holding it would
      otherwise post it a second time)
]]
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

local nb = #KEYS - 5
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
