--[[
  Learn from one chat.postMessage outcome in a channel, for every replica at once: the same
  rules as pacing-math.ts (afterSuccess, after429, blameOf, workspace factor).

  Named as src/delivery/scripts.ts passes them:
  KEYS[1]  pace: channel pace hash: a (allowance), c (allowance that drew the last 429), n (successes
           since, counted while c is kept), and from pacer-take.lua at the grant: g (gap before
           it), p (pressed). A success that teaches nothing writes neither hash (learn-step.lua)
  KEYS[2]  workspacePace: workspace pace hash: f (factor), c (allowance of the latest channel 429 anywhere),
           n (posts since it, counted while c is kept)
  KEYS[3]  blocked: channel blocked-until key
  KEYS[4]  tat: channel GCRA key: after a 429 its TAT moves past the wait (no catch-up burst follows
           it); after a success it is at least now + one spacing (see tatAfterSuccess in
           pacing-math.ts: the post reached Slack at the latest now, not when it was granted)

  ARGV[1]  now: epoch ms; "" = Redis server time
  ARGV[2]  event: "ok" or "429"
  ARGV[3]  retryAfterMs: Retry-After (429 only)
  ARGV[4]  channelIntervalMs
  ARGV[5..10] start, min, max, step, margin, holdSuccesses
  ARGV[11..13] workspaceDecrease, workspaceIncrease, workspaceMinFactor
  ARGV[14] learnTtlMs: ttl of the learned state
  ARGV[15] fixed: "1" when the allowance is fixed by configuration (learn only the workspace)

  Result: { allowance, factor, blame } as strings (blame "" for a success)
]]
--#include learn-step.lua

return learn_step(1, 1)
