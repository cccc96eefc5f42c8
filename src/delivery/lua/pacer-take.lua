--[[
  Take a send slot for one alert in one channel, for every replica at once.

  Lines: new messages wait in the channel's post line, edits of messages already posted in its
  edit line. Only the head of a line may go (messages and edits stay in order). An edit also
  waits for every post enqueued before it (KEYS[5]'s head must be younger), so it never edits
  ahead of the post it follows; posts never wait for edits (posts win: an edit is paced by
  chat.update's Tier 3 bucket, far slower than a channel's one per second, and would otherwise
  hold every new message of its channel behind it).
  Pacing: GCRA ("theoretical arrival time", a reserved next slot) per bucket. The channel's
  bucket uses the allowance learned in KEYS[3] (pacer-learn.lua; see pacing-math.ts), the
  workspace's the configured interval divided by the factor learned in KEYS[4]; method buckets
  are fixed. A 429 blocks the channel until its Retry-After (KEYS[2]). All buckets or none.

  Named as src/delivery/scripts.ts passes them (the buckets are the call's tail):
  KEYS[1]  line: the member's line (zset: member = alert id, score = channel sequence)
  KEYS[2]  blocked: channel blocked-until key (epoch ms; absent = not blocked)
  KEYS[3]  pace: channel pace hash: a (allowance), and at each grant lg (time), g (gap), p (pressed)
  KEYS[4]  workspacePace: workspace pace hash: f (factor, default 1)
  KEYS[5]  postLine: the channel's post line (an edit waits for older posts; same as KEYS[1] for a post)
  KEYS[6..] GCRA keys (value = theoretical arrival time, epoch ms)

  ARGV[1]  now: epoch ms; "" = Redis server time (one clock for all replicas)
  ARGV[2]  member: alert id asking to send
  ARGV[3]  channelIntervalMs: channel interval (steady rate; the rank estimate uses it)
  ARGV[4]  startAllowance: allowance of a channel never seen ("" = none learned yet: start value)
  ARGV[5]  fixedAllowance: ("" = learn)
  ARGV[6]  learnTtlMs: how long learned state is kept, ms
  ARGV[7]  line: "post" or "edit"
  ARGV[5+3i], ARGV[6+3i], ARGV[7+3i] for KEYS[5+i]: interval ms, tolerance ms, mode
           mode "chan" = the channel's learned bucket, "ws" = workspace, "fixed"

  Result: { status, waitMs, head[, rank] }
    0 granted; 1 not the head (or an older post is pending): its turn comes in about waitMs,
      after `rank` alerts ahead of it (1 for an edit waiting for an older post);
    2 rate: retry in waitMs; 3 channel blocked by a 429: retry in waitMs;
    4 not in the line at all (rolled into a digest, delivered, or dropped): never granted, since
      a member outside its line is no longer the channel's to send (a digest holding it would
      otherwise post it a second time)
]]
--#include take-slot.lua

return take_slot(#KEYS - 5)
