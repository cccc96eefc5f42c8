--[[
  A post's line exit in one command: the pacer's lesson from the post's success (pacer-learn.lua's
  step, event "ok": first, so the next head's slot counts from now before it can be granted),
  mark-delivered.lua's step, then promote-front.lua's move of the alert behind it (read with its
  claim; due now that it heads the post line), then the heads of the channel's two lines as they
  are after it. Was four commands and a MULTI of two reads on the channel's critical path
  (processor.ts, line.ts promoteNextAfter, Pacer.succeeded).

  Named as src/delivery/scripts.ts passes them:
  KEYS[1]  delivered  delivered marker (hash) of the alert
  KEYS[2]  inflight   in-flight marker of the alert
  KEYS[3]  subject    subject marker of the alert's subject in the channel
  KEYS[4]  order      channel post line
  KEYS[5]  pending    pending zset
  KEYS[6]  stats      stats hash
  KEYS[7]  edits      channel edit line
  KEYS[8]  delayed    the successor's queue: delayed zset
  KEYS[9]  wait       wait list
  KEYS[10] meta       meta hash
  KEYS[11] active     active list
  KEYS[12] marker     marker zset
  KEYS[13] job        the successor's job hash
  KEYS[14] events     events stream
  KEYS[15..18] as pacer-learn.lua's KEYS[1..4], the route's pacer's keys for the channel:
  KEYS[15] pace           channel pace hash
  KEYS[16] workspacePace  workspace pace hash
  KEYS[17] blocked        channel blocked-until key
  KEYS[18] tat            channel GCRA key

  ARGV[1..9] as mark-delivered.lua:
  ARGV[1]  channel
  ARGV[2]  ts
  ARGV[3]  at
  ARGV[4]  alertId
  ARGV[5]  setSubject
  ARGV[6]  parentTs
  ARGV[7]  how
  ARGV[8]  ttlMs
  ARGV[9]  stat
  ARGV[10] successor       the alert id behind this one in the post line
  ARGV[11] successorJobId  its job's id
  ARGV[12..26] as pacer-learn.lua's ARGV[1..15]:
  ARGV[12] now            epoch ms; "" = Redis server time
  ARGV[13] event          "ok"
  ARGV[14] retryAfterMs   0
  ARGV[15] channelIntervalMs
  ARGV[16] start          ARGV[17] min   ARGV[18] max   ARGV[19] step   ARGV[20] margin
  ARGV[21] holdSuccesses
  ARGV[22] workspaceDecrease   ARGV[23] workspaceIncrease   ARGV[24] workspaceMinFactor
  ARGV[25] learnTtlMs
  ARGV[26] fixed          "1" when the allowance is fixed by configuration

  The tail, the audit entry (src/shared/lua/stream-append.lua):
  KEYS[19]   audit stream
  KEYS[20..] audit indexes (as src/audit/append.lua)
  ARGV[27]   audit MAXLEN for approximate trimming, or "" for none
  ARGV[28]   how many of the index keys, at the end, are streams
  ARGV[29..] field, value pairs of the audit entry

  Result: { marked (mark-delivered.lua's), promoted (promote-front.lua's), postHead, editHead,
  learned (1, or 0 when the lesson failed: the post was marked all the same) }
]]
--#include ../../shared/lua/stream-append.lua
--#include promote-job.lua
--#include mark-step.lua
--#include learn-step.lua

-- A failed lesson must not keep a post Slack has from being marked (it was a command of its own);
-- whether it was learned goes back with the reply, for the log.
local learned = pcall(learn_step, 15, 12)
local marked = mark_step(19, 27)
-- The successor is due when it heads the post line after the exit (promote-front.lua's check for
-- a post; the move below leaves the line as it is): one read for the check and the reply.
local postHead = redis.call("ZRANGE", KEYS[4], 0, 0)[1] or ""
local promoted = 0
if postHead == ARGV[10] then promoted = promote_job(8, ARGV[11]) end
local editHead = redis.call("ZRANGE", KEYS[7], 0, 0)[1] or ""
local lesson = 0
if learned then lesson = 1 end
return { marked, promoted, postHead, editHead, lesson }
