--[[
  Create a pending approval once. The id is derived from the alert id, so the sync side may call
  this again for the same alert (overlap windows, restarts, replays) without a second approval.

  Input (names as src/approvals/scripts.ts passes them):
    KEYS[1] approval      the approval hash
    KEYS[2] open          open approvals zset (member: approval id, score: createdMs)
    KEYS[3] recordLatest  record index string (the latest approval id for the record, for lookups)
    KEYS[4] recordAll     record index zset (every approval of the record, score: createdMs; an
                          invoice with several exceptions has several approvals at once)

    ARGV[1] id            approval id
    ARGV[2] subject       subject as JSON (the fixed part of the approval)
    ARGV[3] createdMs     creation time in epoch milliseconds
    ARGV[4] createdAt     creation time as ISO 8601 UTC
    ARGV[5] indexSeconds  seconds to keep the record index (display only: an expired index shows
                          no state)

  Output:
    1  created
    0  already existed (nothing changed)
]]
if redis.call("EXISTS", KEYS[1]) == 1 then
  return 0
end
redis.call("HSET", KEYS[1], "data", ARGV[2], "state", "pending", "createdAt", ARGV[4],
  "updatedAt", ARGV[4])
redis.call("ZADD", KEYS[2], ARGV[3], ARGV[1])
redis.call("SET", KEYS[3], ARGV[1], "EX", tonumber(ARGV[5]))
redis.call("ZADD", KEYS[4], ARGV[3], ARGV[1])
-- Bounded: a lookup shows a handful; the newest 50 are plenty.
redis.call("ZREMRANGEBYRANK", KEYS[4], 0, -51)
redis.call("EXPIRE", KEYS[4], tonumber(ARGV[5]))
return 1
