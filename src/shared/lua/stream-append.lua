-- Included by scripts that append an entry to a stream and index it (the audit log's shape:
-- src/audit/append.lua, and the steps that write their audit entry together with their own keys).
--
-- stream_append(k, a): XADD to KEYS[k] the field, value pairs ARGV[a+1..], trimmed to about
-- ARGV[a] entries (MAXLEN ~; "" for no trimming), then ZADD the new id to every sorted set
-- KEYS[k+1..] scored by the id's milliseconds. Returns the new id.
local function stream_append(k, a)
  local xadd = { KEYS[k] }
  if ARGV[a] ~= "" then
    table.insert(xadd, "MAXLEN")
    table.insert(xadd, "~")
    table.insert(xadd, ARGV[a])
  end
  table.insert(xadd, "*")
  for i = a + 1, #ARGV do table.insert(xadd, ARGV[i]) end
  local id = redis.call("XADD", unpack(xadd))
  local ms = tonumber(string.match(id, "^(%d+)"))
  for i = k + 1, #KEYS do redis.call("ZADD", KEYS[i], ms, id) end
  return id
end
