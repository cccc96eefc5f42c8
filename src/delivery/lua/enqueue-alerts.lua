--[[
  Admit several alerts in one round trip, each as enqueue-alert.lua admits one (its audit entry
  first, then its place in its channel's line, unless it is already in Slack), in the order given:
  a sync page's alerts, which were a round trip each on the page's path (bench/scenarios/pipeline.ts).
  Each alert's admission is the same atomic step as alone; so is the whole call (one script).

  Named as src/delivery/scripts.ts passes them:
  ARGV[1]  now    epoch ms (pending score)
  ARGV[2]  count  how many alerts follow

  Then per alert, in order (the call's tail), its keys and arguments one after the other:
  KEYS     delivered, subject, order, edits, seq, pending, stats, job (as enqueue-alert.lua's
           KEYS[1..8]), then its audit entry's stream and index keys (none when not stored)
  ARGV     alertId, editsInPlace ("1"/"0"), how many audit keys, how many audit arguments, then
           the audit arguments (MAXLEN or "", how many index keys are streams, field/value pairs)

  Result: enqueue-alert.lua's four numbers per alert, one after the other.
]]
--#include ../../shared/lua/stream-append.lua
--#include admit-one.lua

local now = ARGV[1]
local out = {}
local k = 1
local a = 3
for _ = 1, tonumber(ARGV[2]) do
  local member, editsInPlace = ARGV[a], ARGV[a + 1]
  local nKeys, nArgs = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local auditK, auditA = k + 8, a + 4
  if nKeys > 0 then stream_append(auditK, auditA, auditK + nKeys - 1, auditA + nArgs - 1) end
  local r = admit_one(k, member, editsInPlace, now)
  for i = 1, 4 do table.insert(out, r[i]) end
  k = auditK + nKeys
  a = auditA + nArgs
end
return out
