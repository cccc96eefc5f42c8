--[[
  Append one audit entry and index it, in one atomic step.

  KEYS[1]   the stream
  KEYS[2..] index sorted sets to add the entry to (by alert id, record key, channel)
  ARGV[1]   MAXLEN for approximate trimming, or "" for none
  ARGV[2..] field, value pairs of the entry

  Result: the new entry's stream id. Index score = the id's milliseconds.
]]
local args = { KEYS[1] }
if ARGV[1] ~= "" then
  table.insert(args, "MAXLEN")
  table.insert(args, "~")
  table.insert(args, ARGV[1])
end
table.insert(args, "*")
for i = 2, #ARGV do table.insert(args, ARGV[i]) end
local id = redis.call("XADD", unpack(args))
local ms = tonumber(string.match(id, "^(%d+)"))
for i = 2, #KEYS do redis.call("ZADD", KEYS[i], ms, id) end
return id
