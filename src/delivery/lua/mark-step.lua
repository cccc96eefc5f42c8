-- Included by mark-delivered.lua and exit-post.lua: the marking step of a post's line exit (the
-- header of mark-delivered.lua says why it is one step), with KEYS[1..6] (delivered, inflight,
-- subject, order, pending, stats) and ARGV[1..9] (channel, ts, at, alertId, setSubject,
-- parentTs, how, ttlMs, stat) as mark-delivered.lua names them, and the audit entry's tail at
-- KEYS[k..] / ARGV[a..] (stream_append, which the including script includes first). Returns 1
-- when this call wrote the marker (and the entry), 0 when the alert was already marked.
local function mark_step(k, a)
  local delivered, inflight, subject, order, pending, stats =
    KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
  local channel, ts, at, alert_id = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
  local set_subject, parent_ts, how, ttl_ms, stat =
    ARGV[5] == "1", ARGV[6], ARGV[7], ARGV[8], ARGV[9]
  redis.call("DEL", inflight)
  redis.call("ZREM", order, alert_id)
  redis.call("ZREM", pending, alert_id)
  if redis.call("EXISTS", delivered) == 1 then return 0 end
  redis.call("HSET", delivered, "channel", channel, "ts", ts, "at", at, "how", how)
  redis.call("PEXPIRE", delivered, ttl_ms)
  if set_subject then
    redis.call("HSET", subject, "ts", parent_ts, "alertId", alert_id)
    redis.call("PEXPIRE", subject, ttl_ms)
  end
  redis.call("HINCRBY", stats, stat, 1)
  stream_append(k, a)
  return 1
end
