--[[
  A post's line exit in one command: mark-delivered.lua's step, then promote-front.lua's move of
  the alert behind it (read with its claim; due now that it heads the post line), then the heads
  of the channel's two lines as they are after it. Was three commands and a MULTI of two reads
  on the channel's critical path (processor.ts, line.ts promoteNextAfter).

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

  The tail, the audit entry (src/shared/lua/stream-append.lua):
  KEYS[15]   audit stream
  KEYS[16..] audit indexes (as src/audit/append.lua)
  ARGV[12]   audit MAXLEN for approximate trimming, or "" for none
  ARGV[13]   how many of the index keys, at the end, are streams
  ARGV[14..] field, value pairs of the audit entry

  Result: { marked (mark-delivered.lua's), promoted (promote-front.lua's), postHead, editHead }
]]
--#include ../../shared/lua/stream-append.lua
--#include promote-job.lua
--#include mark-step.lua

local marked = mark_step(15, 12)
local promoted = promote_job(8, ARGV[11], 4, 4, ARGV[10])
local postHead = redis.call("ZRANGE", KEYS[4], 0, 0)[1] or ""
local editHead = redis.call("ZRANGE", KEYS[7], 0, 0)[1] or ""
return { marked, promoted, postHead, editHead }
