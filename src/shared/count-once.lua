--[[
  Update a hash at most once per operation id: add to its counters and set its fields, so a
  command the client sends again after a reconnect (ioredis re-sends commands whose reply a
  dropped connection lost: autoResendUnfulfilledCommands) does not count twice.

  Named as src/shared/count-once.ts passes them:
  KEYS[1]  hash        the hash
  KEYS[2]  op          marker of this operation (same hash tag as the hash: one Cluster slot)
  ARGV[1]  opTtlMs     how long the marker is kept (longer than any reconnect)
  ARGV[2]  increments  n, the number of counters to add to
  The tail:
  ARGV[3 .. 2+2n]  field, amount pairs (HINCRBY)
  ARGV[3+2n ..]    field, value pairs (HSET)

  Result: 1 updated now, 0 this operation was already applied.
]]
if redis.call("SET", KEYS[2], "1", "PX", ARGV[1], "NX") == false then return 0 end
local n = tonumber(ARGV[2])
for i = 1, n do
  redis.call("HINCRBY", KEYS[1], ARGV[1 + 2 * i], ARGV[2 + 2 * i])
end
if #ARGV > 2 + 2 * n then
  redis.call("HSET", KEYS[1], unpack(ARGV, 3 + 2 * n))
end
return 1
