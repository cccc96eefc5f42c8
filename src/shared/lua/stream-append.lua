-- Included by scripts that append an entry to a stream and index it (the audit log's shape:
-- src/audit/append.lua, and the steps that write their audit entry together with their own keys).
--
-- stream_append(k, a): XADD to KEYS[k] the field, value pairs ARGV[a+2..], trimmed to about
-- ARGV[a] entries (MAXLEN ~; "" for no trimming); then index the new id: the last ARGV[a+1] keys
-- are index streams, which get an entry with the same id (an empty field and value: ~20 bytes an
-- entry where a large sorted set spends over 100), and every key KEYS[k+1..] before them is a
-- sorted set that gets the id as a member scored by its milliseconds. Returns the new id.
-- The entry's keys and arguments run to the end of KEYS and ARGV, or to `kLast` and `aLast`
-- when given (a script writing several entries, each followed by keys of its own).
local function stream_append(k, a, kLast, aLast)
  kLast = kLast or #KEYS
  aLast = aLast or #ARGV
  local xadd = { KEYS[k] }
  if ARGV[a] ~= "" then
    table.insert(xadd, "MAXLEN")
    table.insert(xadd, "~")
    table.insert(xadd, ARGV[a])
  end
  table.insert(xadd, "*")
  for i = a + 2, aLast do table.insert(xadd, ARGV[i]) end
  local id = redis.call("XADD", unpack(xadd))
  local ms = tonumber(string.match(id, "^(%d+)"))
  local streams = tonumber(ARGV[a + 1]) or 0
  for i = k + 1, kLast - streams do redis.call("ZADD", KEYS[i], ms, id) end
  -- The log's ids only grow, so each index stream takes them in order. Only a log deleted and
  -- started again under a clock set back could refuse one: the entry stays written (it is the
  -- record; the index only finds it) rather than fail the step it belongs to.
  for i = kLast - streams + 1, kLast do redis.pcall("XADD", KEYS[i], id, "", "") end
  return id
end
