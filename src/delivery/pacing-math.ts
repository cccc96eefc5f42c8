/**
 * What the pacer learns about Slack's unpublished limits, as pure functions. pacer-learn.lua
 * applies the same rules inside Redis (one state per channel, shared by every replica); the
 * tests run both on the same sequences.
 *
 * Slack documents about one chat.postMessage per second per channel, "short bursts allowed",
 * and publishes no burst size. A channel's `allowance` is how far ahead of the steady rate it
 * may post, in intervals, counted from the answer to its previous post (tatAfterSuccess): 0 =
 * exactly one per interval, 1 = two back to back, -0.25 = a quarter interval of extra spacing
 * (only after 429s at zero or below: Slack's clock against ours). It starts cautious and moves
 * AIMD-style:
 * - a success while the channel is sending at its rate ("pressed") adds `step`;
 * - a 429 halves it (at least `margin` less, not below zero when it was above), and for the next
 *   `holdSuccesses` successes it stays `margin` below the value that drew the 429: one 429
 *   teaches, it does not repeat.
 * Each 429 also costs its channel one wait of Retry-After (the blocked key), never a retry.
 * `max` is 1 by default (two back to back): enough to absorb our own scheduling delays (a post
 * that went late lets the next one catch up), and never more than a limit that allows any burst
 * at all, so a workspace whose channels tolerate a burst never sees a 429 from learning.
 */
export interface LearnSettings {
  /** allowance of a channel never seen before */
  start: number;
  min: number;
  max: number;
  step: number;
  /** how much below the allowance that drew a 429 the channel stays, in intervals */
  margin: number;
  /** successes after a 429 before the pacer probes above it again */
  holdSuccesses: number;
}

export const DEFAULT_LEARN: LearnSettings = {
  start: 0,
  min: -1,
  max: 1,
  step: 0.1,
  margin: 0.5,
  holdSuccesses: 500,
};

export interface ChannelPace {
  allowance: number;
  /** the allowance that drew the last 429, while it is remembered */
  ceiling?: number;
  /** successes since the last 429 */
  successes: number;
}

export function initialPace(s: LearnSettings): ChannelPace {
  return { allowance: s.start, successes: 0 };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Where a 429 at allowance `hit` leaves a channel: `value` (a cut or a cap below `hit`), but never
 * below zero when `hit` was above it. Slots count from answers (tatAfterSuccess), so at zero two
 * posts reach Slack at least one interval apart: a 429 above zero says the burst was too much,
 * not that one per interval is. Only a 429 at zero or below (Slack's clock against ours) widens
 * the spacing.
 */
function noLowerThanZeroFrom(hit: number, value: number): number {
  return hit > 0 ? Math.max(0, value) : value;
}

/**
 * `workspaceCeiling`: the allowance that drew the latest 429 in any channel, while remembered.
 * Slack's burst policy is the workspace's, not one channel's: one channel's lesson caps every
 * channel, so twenty channels do not each pay a 429 to learn the same thing.
 */
export function afterSuccess(
  p: ChannelPace,
  pressed: boolean,
  s: LearnSettings,
  workspaceCeiling?: number,
): ChannelPace {
  const successes = p.successes + 1;
  const remembered = p.ceiling !== undefined && successes < s.holdSuccesses;
  const next: ChannelPace = { allowance: p.allowance, successes };
  if (remembered && p.ceiling !== undefined) next.ceiling = p.ceiling;
  if (!pressed) return next;
  let cap =
    remembered && p.ceiling !== undefined
      ? Math.min(s.max, noLowerThanZeroFrom(p.ceiling, p.ceiling - s.margin))
      : s.max;
  if (workspaceCeiling !== undefined)
    cap = Math.min(cap, noLowerThanZeroFrom(workspaceCeiling, workspaceCeiling - s.margin));
  next.allowance = p.allowance < cap ? Math.min(cap, p.allowance + s.step) : cap;
  return next;
}

export function after429(p: ChannelPace, s: LearnSettings): ChannelPace {
  const halved = Math.min(p.allowance / 2, p.allowance - s.margin / 2);
  const cap = p.allowance - s.margin;
  return {
    allowance: clamp(noLowerThanZeroFrom(p.allowance, Math.min(halved, cap)), s.min, s.max),
    ceiling: p.allowance,
    successes: 0,
  };
}

/** Posts (in any channel) a workspace-wide ceiling is kept for after the 429 that set it. */
export function workspaceHold(s: LearnSettings): number {
  return 10 * s.holdSuccesses;
}

/** GCRA parameters for an allowance: spacing widens below 0, tolerance grows above. */
export function gcraFor(allowance: number, intervalMs: number) {
  return allowance < 0
    ? { intervalMs: intervalMs * (1 - allowance), toleranceMs: 0 }
    : { intervalMs, toleranceMs: allowance * intervalMs };
}

/**
 * A channel's TAT after a post succeeded at `now` (pacer-learn.lua does the same). The grant
 * reserved the slot as if the post reached Slack when it was granted; Slack counts it when it
 * arrives, which is at the latest when its answer came back. A post sent late after its grant (a
 * busy worker, a slow connection) followed by one sent at once would otherwise reach Slack
 * closer together than the grants were: measured at emulator burst 1, three worker processes on
 * a loaded machine, one grant went out 240 ms late, the next two arrived back to back and the
 * third drew a 429, whose lesson (allowance 0.3 → -0.2, kept for 500 posts) then spaced the
 * hottest channel 20 % wider for the rest of the run. Only the head of a line is in flight,
 * so the answer is back before the next post's grant: this bound is always in time. Its price:
 * with no burst (allowance 0) each post costs its round trip on top of the interval; with a
 * learned allowance longer than the round trip it costs nothing.
 */
export function tatAfterSuccess(
  tat: number,
  now: number,
  intervalMs: number,
  allowance: number,
): number {
  return Math.max(tat, now + gcraFor(Math.min(0, allowance), intervalMs).intervalMs);
}

/**
 * The workspace-wide chat.postMessage limit: configured (Slack publishes no figure), scaled by a
 * learned factor that a 429 in an idle channel cuts (the channel cannot have been over its own
 * limit, so the workspace was) and successes restore.
 */
export interface WorkspaceLearn {
  decrease: number;
  increase: number;
  minFactor: number;
}

export const DEFAULT_WORKSPACE_LEARN: WorkspaceLearn = {
  decrease: 0.7,
  increase: 0.005,
  minFactor: 0.05,
};

export function workspaceAfter429(factor: number, w: WorkspaceLearn): number {
  return Math.max(w.minFactor, factor * w.decrease);
}

export function workspaceAfterSuccess(factor: number, w: WorkspaceLearn): number {
  return Math.min(1, factor + w.increase);
}

/**
 * Whose limit a 429 was: a channel that had not posted for half an interval more than its own
 * spacing (one interval, wider after 429s) holds at least one message of allowance under any
 * per-channel limit of one per interval, so the workspace's limit was reached.
 */
export function blameOf(gapMs: number, intervalMs: number, allowance = 0) {
  return gapMs >= (1.5 + Math.max(0, -allowance)) * intervalMs ? "workspace" : "channel";
}
