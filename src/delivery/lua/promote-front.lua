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
--#include promote-job.lua

if KEYS[8] then return promote_job(1, ARGV[1], 8, 9, ARGV[2]) end
return promote_job(1, ARGV[1])
