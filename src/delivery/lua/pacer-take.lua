--[[
  Take a send slot for one alert in one channel, for every replica at once.

  Head-of-line: only the oldest pending alert of the channel may send (messages stay in order).
  Pacing: GCRA ("theoretical arrival time", a reserved next slot) per bucket: the channel
  (Slack: about 1 message per second per channel, short bursts allowed), the workspace-wide cap,
  and optionally a method bucket (chat.update is Tier 3). A 429 blocks the channel until its
  Retry-After (KEYS[2]). Either all buckets are taken or none.

  KEYS[1]  channel order zset (member = alert id, score = enqueue sequence)
  KEYS[2]  channel blocked-until key (epoch ms; absent = not blocked)
  KEYS[3..] GCRA keys (value = theoretical arrival time, epoch ms); KEYS[3] is the channel's

  ARGV[1]  now, epoch ms; "" = Redis server time (one clock for all replicas)
  ARGV[2]  member (alert id) asking to send
  ARGV[3]  channel interval ms (kept for callers; the estimate uses KEYS[3]'s own settings)
  ARGV[4+2i], ARGV[5+2i]  interval ms and burst tolerance ms of KEYS[3+i]

  Result: { status, waitMs, head }
    status 0 = granted (every bucket advanced), waitMs 0
    status 1 = not the head of the channel: its turn comes in about waitMs (0 = as soon as
               the alerts ahead are done); head = current head member
    status 2 = rate: retry in waitMs
    status 3 = channel blocked by a 429: retry in waitMs
]]
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call("TIME")
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local member = ARGV[2]
local chanInterval = tonumber(ARGV[3])

local nb = #KEYS - 2
local waitRate = 0
local tats = {}
for i = 1, nb do
  local interval = tonumber(ARGV[2 + 2 * i])
  local tolerance = tonumber(ARGV[3 + 2 * i])
  local tat = tonumber(redis.call("GET", KEYS[2 + i]) or "0")
  if tat < now then tat = now end
  local allowAt = tat - tolerance
  if allowAt > now and allowAt - now > waitRate then waitRate = allowAt - now end
  tats[i] = { tat, interval, tolerance }
end

local blockedUntil = tonumber(redis.call("GET", KEYS[2]) or "0")
local waitBlock = 0
if blockedUntil > now then waitBlock = blockedUntil - now end

local rank = redis.call("ZRANK", KEYS[1], member)
if rank and rank > 0 then
  local head = redis.call("ZRANGE", KEYS[1], 0, 0)[1] or ""
  -- If everyone ahead goes at its earliest slot, this member's turn comes at
  -- channel TAT - tolerance + rank * interval (GCRA on KEYS[3]).
  local first = tats[1]
  local turn = 0
  if first then turn = first[1] - first[3] + rank * first[2] - now end
  if turn < 0 then turn = 0 end
  return { 1, math.max(turn, waitBlock), head }
end

if waitBlock > 0 then return { 3, waitBlock, member } end
if waitRate > 0 then return { 2, waitRate, member } end

for i = 1, nb do
  local t = tats[i]
  local nextTat = t[1] + t[2]
  -- keep the key only as long as it matters
  redis.call("SET", KEYS[2 + i], nextTat, "PX", math.max(1000, nextTat - now + t[3] + 1000))
end
return { 0, 0, member }
