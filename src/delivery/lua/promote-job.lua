-- Included by promote-front.lua and exit-post.lua: promote-front.lua's move (its header says why
-- and what each key is), with the job's seven keys at KEYS[k..k+6] (delayed, wait, meta, active,
-- marker, job, events) and, when `line` is given, the due check against KEYS[line] (the alert's
-- line) and KEYS[postLine] (its channel's post line) for `alertId`. Returns promote-front.lua's
-- result.
local function promote_job(k, jobId, line, postLine, alertId)
  if line then
    local head = redis.call("ZRANGE", KEYS[line], 0, 0, "WITHSCORES")
    if head[1] ~= alertId then return 0 end
    if KEYS[postLine] ~= KEYS[line] then
      local post = redis.call("ZRANGE", KEYS[postLine], 0, 0, "WITHSCORES")
      if post[2] and tonumber(post[2]) < tonumber(head[2]) then return 0 end
    end
  end
  local meta = redis.call("HMGET", KEYS[k + 2], "paused", "concurrency")
  if meta[1] then return 0 end
  if redis.call("ZREM", KEYS[k], jobId) == 1 then
    redis.call("RPUSH", KEYS[k + 1], jobId)
    redis.call("HSET", KEYS[k + 5], "delay", 0)
    redis.call("XADD", KEYS[k + 6], "*", "event", "waiting", "jobId", jobId, "prev", "delayed")
    local maxed = meta[2] and redis.call("LLEN", KEYS[k + 3]) >= tonumber(meta[2])
    if not maxed then redis.call("ZADD", KEYS[k + 4], 0, "0") end
    return 1
  end
  if redis.call("LREM", KEYS[k + 1], 1, jobId) == 1 then
    redis.call("RPUSH", KEYS[k + 1], jobId)
    return 2
  end
  return 0
end
