--[[
  Admit an alert to delivery in one atomic step: its audit entry (stored before any send), then,
  unless it is already in Slack, its place in its channel's line, in the pending set, and whether
  its BullMQ job still exists. Was eight round trips (audit, delivered, subject, register,
  pending, getJob) on the sync's serial path; see bench/scenarios/pipeline.ts.

  Named as src/delivery/scripts.ts passes them:
  KEYS[1]  delivered  delivered marker hash of the alert (ts, channel)
  KEYS[2]  subject    subject marker hash of (channel, subject) (ts = the message an edit changes)
  KEYS[3]  order      channel post line (zset: member = alert id, score = channel sequence)
  KEYS[4]  edits      channel edit line (same shape)
  KEYS[5]  seq        channel sequence counter
  KEYS[6]  pending    pending zset (member = alert id, score = enqueue time)
  KEYS[7]  stats      stats hash
  KEYS[8]  job        the alert's BullMQ job hash

  ARGV[1]  alertId
  ARGV[2]  editsInPlace  "1" when the alert edits its subject's message once posted, else "0"
  ARGV[3]  now           epoch ms (pending score)
  ARGV[4]  store         "1" when the tail holds an audit entry to write first, else "0"

  The tail, the audit entry (src/shared/lua/stream-append.lua), when store is "1":
  KEYS[9]    audit stream
  KEYS[10..] audit indexes (as src/audit/append.lua)
  ARGV[5]    audit MAXLEN for approximate trimming, or "" for none
  ARGV[6]    how many of the index keys, at the end, are streams
  ARGV[7..]  field, value pairs of the audit entry

  Result: { status, rank, edit, jobExists }
    status 1: already delivered (counted as a duplicate avoided; nothing registered)
    status 0: registered; rank = place in its line (0 = head), edit = 1 when in the edit line,
              jobExists = 1 when a job with its id is still in the queue (any state)
]]
--#include ../../shared/lua/stream-append.lua
--#include admit-one.lua

if ARGV[4] == "1" then stream_append(9, 5) end
return admit_one(1, ARGV[1], ARGV[2], ARGV[3])
