--[[
  Record a successful post once: the delivered marker (alert id -> channel, ts), the channel's
  message for the alert's subject, and clear the in-flight marker and the channel queue entry.

  KEYS[1]  delivered marker (hash) of the alert
  KEYS[2]  in-flight marker of the alert
  KEYS[3]  subject marker (hash: ts, alertId) in the channel; untouched when ARGV[5] is "0"
  KEYS[4]  channel order zset
  KEYS[5]  pending zset (all unfinished alerts)

  ARGV[1]  channel
  ARGV[2]  ts of the message (or of the thread reply)
  ARGV[3]  delivered at (ISO 8601)
  ARGV[4]  alert id
  ARGV[5]  "1" to set the subject marker, "0" to leave it
  ARGV[6]  parent ts for the subject marker (the message later versions edit)
  ARGV[7]  how: post | update | digest | resolved
  ARGV[8]  time to keep the markers, ms

  Result: 1 when this call wrote the marker, 0 when the alert was already marked delivered.
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
return 1
