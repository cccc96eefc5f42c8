--[[
  Record a successful post once, together with its audit entry: the delivered marker (alert id ->
  channel, ts), the channel's message for the alert's subject, the stats counter, the audit entry
  (post.result, or post.resolved when history showed the post), and clear the in-flight marker
  and the channel queue entry. One step, so a worker killed after the post leaves either nothing
  (the retry looks in history) or the marker with its audit entry, never a marker alone (the
  retry would then audit only "skipped" and the trail would never say the alert was posted).

  Named as src/delivery/scripts.ts passes them:
  KEYS[1]  delivered  delivered marker (hash) of the alert
  KEYS[2]  inflight   in-flight marker of the alert
  KEYS[3]  subject    subject marker (hash: ts, alertId) in the channel; untouched when setSubject is "0"
  KEYS[4]  order      channel order zset
  KEYS[5]  pending    pending zset (all unfinished alerts)
  KEYS[6]  stats      stats hash

  ARGV[1]  channel
  ARGV[2]  ts          ts of the message (or of the thread reply)
  ARGV[3]  at          delivered at (ISO 8601)
  ARGV[4]  alertId
  ARGV[5]  setSubject  "1" to set the subject marker, "0" to leave it
  ARGV[6]  parentTs    parent ts for the subject marker (the message later versions edit)
  ARGV[7]  how         post | update | digest | resolved
  ARGV[8]  ttlMs       time to keep the markers, ms
  ARGV[9]  stat        stats field to increment by one

  The tail, the audit entry (src/shared/lua/stream-append.lua):
  KEYS[7]    audit stream
  KEYS[8..]  audit indexes (as src/audit/append.lua)
  ARGV[10]   audit MAXLEN for approximate trimming, or "" for none
  ARGV[11]   how many of the index keys, at the end, are streams
  ARGV[12..] field, value pairs of the audit entry

  Result: 1 when this call wrote the marker (and the entry), 0 when the alert was already marked
  delivered (its entry was written with that marker).
]]
--#include ../../shared/lua/stream-append.lua
--#include mark-step.lua

return mark_step(7, 10)
