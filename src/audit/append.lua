--[[
  Append one audit entry and index it, in one atomic step.

  KEYS[1]   the stream
  KEYS[2..] indexes to add the entry to: sorted sets (by alert id, record key), then streams
            (by channel)
  ARGV[1]   MAXLEN for approximate trimming, or "" for none
  ARGV[2]   how many of the index keys, at the end, are streams (by channel)
  ARGV[3..] field, value pairs of the entry

  Result: the new entry's stream id. Index score = the id's milliseconds.
]]
--#include ../shared/lua/stream-append.lua

return stream_append(1, 1)
