--[[
  Put a channel's due job at the FRONT of BullMQ's wait list (the end workers pop from), from
  delayed or from anywhere in the wait list.

  Why: BullMQ moves every job that leaves "delayed" (its own retry backoff, moveToDelayed,
  Job.promote) to the BACK of the wait list (LPUSH; workers RPOPLPUSH). Under a long queue a
  channel's head that waited (a retry after a 5xx, a rate wait) then sits behind thousands of
  other jobs, and every other alert of its channel only waits for it: the channel stalls for as
  long as the whole wait list takes to drain. The head of a channel's line is due now, so it goes
  where `lifo: true` puts a new job (RPUSH). Order within a channel is the pacer's (head of line),
  so this never reorders a channel.

  KEYS[1] delayed zset   KEYS[2] wait list   KEYS[3] meta hash   KEYS[4] active list
  KEYS[5] marker zset    KEYS[6] job hash    KEYS[7] events stream (named so in scripts.ts)
  ARGV[1] jobId

  The optional tail (promoteIfDue in line.ts):
  KEYS[8] the alert's line, KEYS[9] its channel's post line: move the job only if the alert is
          due, i.e. the head of its line and, for an edit, older than every pending post
          (pacer-take.lua's rule)
  ARGV[2] the alert id

  Result: 1 moved from delayed, 2 moved within wait, 0 neither (active, finished, gone, not due,
  or the queue is paused: left to BullMQ)
]]
local jobId = ARGV[1]
if KEYS[8] then
  local head = redis.call("ZRANGE", KEYS[8], 0, 0, "WITHSCORES")
  if head[1] ~= ARGV[2] then return 0 end
  if KEYS[9] ~= KEYS[8] then
    local post = redis.call("ZRANGE", KEYS[9], 0, 0, "WITHSCORES")
    if post[2] and tonumber(post[2]) < tonumber(head[2]) then return 0 end
  end
end
local meta = redis.call("HMGET", KEYS[3], "paused", "concurrency")
if meta[1] then return 0 end
if redis.call("ZREM", KEYS[1], jobId) == 1 then
  redis.call("RPUSH", KEYS[2], jobId)
  redis.call("HSET", KEYS[6], "delay", 0)
  redis.call("XADD", KEYS[7], "*", "event", "waiting", "jobId", jobId, "prev", "delayed")
  local maxed = meta[2] and redis.call("LLEN", KEYS[4]) >= tonumber(meta[2])
  if not maxed then redis.call("ZADD", KEYS[5], 0, "0") end
  return 1
end
if redis.call("LREM", KEYS[2], 1, jobId) == 1 then
  redis.call("RPUSH", KEYS[2], jobId)
  return 2
end
return 0
