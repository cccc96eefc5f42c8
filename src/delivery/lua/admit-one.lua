-- Included by enqueue-alert.lua and enqueue-alerts.lua: one alert's admission as
-- enqueue-alert.lua's header describes it, with its eight keys at KEYS[k..k+7] (delivered,
-- subject, order, edits, seq, pending, stats, job). Returns { status, rank, edit, jobExists }.
local function admit_one(k, member, editsInPlace, now)
  local delivered = redis.call("HMGET", KEYS[k], "ts", "channel")
  if delivered[1] and delivered[2] and delivered[1] ~= "" and delivered[2] ~= "" then
    -- Already in Slack: registering it again would put it in its channel's line with no job left
    -- to take it out, blocking that channel.
    redis.call("HINCRBY", KEYS[k + 6], "duplicates_avoided", 1)
    return { 1, 0, 0, 0 }
  end

  local edit = 0
  if editsInPlace == "1" then
    local ts = redis.call("HGET", KEYS[k + 1], "ts")
    if ts then edit = 1 end
  end
  local line = KEYS[k + 2]
  if edit == 1 then line = KEYS[k + 3] end
  if not redis.call("ZSCORE", line, member) then
    redis.call("ZADD", line, redis.call("INCR", KEYS[k + 4]), member)
  end
  local rank = redis.call("ZRANK", line, member)
  redis.call("ZADD", KEYS[k + 5], "NX", now, member)
  return { 0, rank, edit, redis.call("EXISTS", KEYS[k + 7]) }
end
