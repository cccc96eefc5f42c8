--[[
  Add to a counter at most once per operation id, so a command the client sends again after a
  reconnect (ioredis re-sends commands whose reply a dropped connection lost:
  autoResendUnfulfilledCommands) does not count twice.

  Named as src/shared/count-once.ts passes them:
  KEYS[1]  hash   the counters hash
  KEYS[2]  op     marker of this operation (same hash tag as the hash: one Cluster slot)
  ARGV[1]  field  the counter
  ARGV[2]  by     amount to add
  ARGV[3]  opTtlMs how long the marker is kept (longer than any reconnect)

  Result: 1 counted now, 0 this operation was already counted.
]]
if redis.call("SET", KEYS[2], "1", "PX", ARGV[3], "NX") == false then return 0 end
redis.call("HINCRBY", KEYS[1], ARGV[1], ARGV[2])
return 1
