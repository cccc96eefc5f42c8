--[[
  Append one audit entry and index it, in one atomic step.

  KEYS[1]   the stream
  KEYS[2..] index sorted sets to add the entry to (by alert id, record key, channel)
  ARGV[1]   MAXLEN for approximate trimming, or "" for none
  ARGV[2..] field, value pairs of the entry

  Result: the new entry's stream id. Index score = the id's milliseconds.
]]
--#include ../shared/lua/stream-append.lua

return stream_append(1, 1)
