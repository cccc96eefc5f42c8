--[[
  Record a successful post once, together with its audit entry: the delivered marker (alert id ->
  channel, ts), the channel's message for the alert's subject, the stats counter, the audit entry
  (post.result, or post.resolved when history showed the post), and clear the in-flight marker
  and the channel queue entry. One step, so a worker killed after the post leaves either nothing
  (the retry looks in history) or the marker with its audit entry, never a marker alone (the
  retry would then audit only "skipped" and the trail would never say the alert was posted).

  KEYS[1]  delivered marker (hash) of the alert
  KEYS[2]  in-flight marker of the alert
  KEYS[3]  subject marker (hash: ts, alertId) in the channel; untouched when ARGV[5] is "0"
  KEYS[4]  channel order zset
  KEYS[5]  pending zset (all unfinished alerts)
  KEYS[6]  stats hash
  KEYS[7]  audit stream
  KEYS[8..] audit index sorted sets (as src/audit/append.lua)

  ARGV[1]  channel
  ARGV[2]  ts of the message (or of the thread reply)
  ARGV[3]  delivered at (ISO 8601)
  ARGV[4]  alert id
  ARGV[5]  "1" to set the subject marker, "0" to leave it
  ARGV[6]  parent ts for the subject marker (the message later versions edit)
  ARGV[7]  how: post | update | digest | resolved
  ARGV[8]  time to keep the markers, ms
  ARGV[9]  stats field to increment by one
  ARGV[10] audit MAXLEN for approximate trimming, or "" for none
  ARGV[11..] field, value pairs of the audit entry

  Result: 1 when this call wrote the marker (and the entry), 0 when the alert was already marked
  delivered (its entry was written with that marker).
]]
redis.call("DEL", KEYS[2])
redis.call("ZREM", KEYS[4], ARGV[4])
redis.call("ZREM", KEYS[5], ARGV[4])
if redis.call("EXISTS", KEYS[1]) == 1 then return 0 end
redis.call("HSET", KEYS[1], "channel", ARGV[1], "ts", ARGV[2], "at", ARGV[3], "how", ARGV[7])
redis.call("PEXPIRE", KEYS[1], ARGV[8])
if ARGV[5] == "1" then
  redis.call("HSET", KEYS[3], "ts", ARGV[6], "alertId", ARGV[4])
  redis.call("PEXPIRE", KEYS[3], ARGV[8])
end
redis.call("HINCRBY", KEYS[6], ARGV[9], 1)
local xadd = { KEYS[7] }
if ARGV[10] ~= "" then
  table.insert(xadd, "MAXLEN")
  table.insert(xadd, "~")
  table.insert(xadd, ARGV[10])
end
table.insert(xadd, "*")
for i = 11, #ARGV do table.insert(xadd, ARGV[i]) end
local id = redis.call("XADD", unpack(xadd))
local ms = tonumber(string.match(id, "^(%d+)"))
for i = 8, #KEYS do redis.call("ZADD", KEYS[i], ms, id) end
return 1
