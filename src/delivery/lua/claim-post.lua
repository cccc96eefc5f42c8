--[[
  Claim a new message's send in one round trip: what a post job did in three in a row on its
  channel's critical path (the markers' snapshot, pacer-take.lua's slot, then the in-flight
  marker and the attempt's audit entry). Used only for a plain post (processor.ts decides: no
  refresh, no quiet hours in force, no flood digest possible); anything the snapshot would have
  sent down another path answers "look" and the job takes the full path, which reads the
  markers itself.

  Named as src/delivery/scripts.ts passes them (KEYS[1..7] and ARGV[1..13] as pacer-take.lua
  takes them for a post, its two buckets included):
  KEYS[1]     line          the channel's post line
  KEYS[2]     blocked       channel blocked-until key
  KEYS[3]     pace          channel pace hash
  KEYS[4]     workspacePace workspace pace hash
  KEYS[5]     postLine      the channel's post line (same as KEYS[1])
  KEYS[6]     tat           channel GCRA key
  KEYS[7]     workspaceTat  workspace GCRA key
  KEYS[8]     delivered     the alert's delivered marker hash (ts, channel)
  KEYS[9]     digested      the alert's digest marker (digest id)
  KEYS[10]    inflight      the alert's in-flight marker hash
  KEYS[11]    subject       subject marker hash of (channel, subject): ts of a message to edit

  ARGV[1]     now               epoch ms; "" = Redis server time
  ARGV[2]     member            alert id
  ARGV[3]     channelIntervalMs channel interval
  ARGV[4]     startAllowance    allowance of a channel never seen
  ARGV[5]     fixedAllowance    ("" = learn)
  ARGV[6]     learnTtlMs        how long learned state is kept
  ARGV[7]     line              "post"
  ARGV[8]     chanInterval      the channel bucket's interval ms
  ARGV[9]     chanTolerance     its tolerance ms
  ARGV[10]    chanMode          "chan"
  ARGV[11]    wsInterval        the workspace bucket's interval ms
  ARGV[12]    wsTolerance       its tolerance ms
  ARGV[13]    wsMode            "ws"
  ARGV[14]    editable          "1" when the alert edits its subject's message once there is one
  ARGV[15]    since             epoch ms of the attempt (the in-flight marker's `since`)
  ARGV[16]    threadTs          the thread the post goes to ("" for none)
  ARGV[17]    channel           the channel (the in-flight marker's `channel`)
  ARGV[18]    ttlMs             the in-flight marker's expiry

  The tail, the attempt's audit entry (src/shared/lua/stream-append.lua), written when granted;
  none when the caller writes it after the marker is on its replicas (Markers.confirmInflight):
  KEYS[12]    audit stream
  KEYS[13..]  audit indexes (as src/audit/append.lua)
  ARGV[19]    audit MAXLEN for approximate trimming, or "" for none
  ARGV[20]    how many of the index keys, at the end, are streams
  ARGV[21..]  field, value pairs of the audit entry

  Result: pacer-take.lua's { status, waitMs, head[, rank] }, and when granted
  { 0, 0, member, 0, successor } (successor: the alert behind it in the post line, "" for none;
  promoted in the line exit's round trip). Status 5: look (delivered, rolled into a digest, in
  flight from an earlier attempt, or its subject already has a message to edit): nothing taken,
  nothing written.
]]
--#include take-slot.lua
--#include ../../shared/lua/stream-append.lua

local delivered = redis.call("HMGET", KEYS[8], "ts", "channel")
local inflight = redis.call("HMGET", KEYS[10], "channel", "since")
if (delivered[1] and delivered[2] and delivered[1] ~= "" and delivered[2] ~= "")
  or redis.call("EXISTS", KEYS[9]) == 1
  or (inflight[1] and inflight[2] and inflight[1] ~= "" and inflight[2] ~= "")
  or (ARGV[14] == "1" and redis.call("HEXISTS", KEYS[11], "ts") == 1) then
  return { 5, 0, "" }
end

local taken = take_slot(2)
if taken[1] ~= 0 then return taken end

local successor = redis.call("ZRANGE", KEYS[1], 1, 1)[1] or ""
-- As Markers.setInflight writes it (mode "post"): a fresh hash, so no field of an earlier
-- marker survives, with an expiry.
redis.call("DEL", KEYS[10])
if ARGV[16] ~= "" then
  redis.call("HSET", KEYS[10], "channel", ARGV[17], "since", ARGV[15], "mode", "post", "threadTs", ARGV[16])
else
  redis.call("HSET", KEYS[10], "channel", ARGV[17], "since", ARGV[15], "mode", "post")
end
redis.call("PEXPIRE", KEYS[10], ARGV[18])
if #KEYS >= 12 then stream_append(12, 19) end
return { 0, 0, ARGV[2], 0, successor }
