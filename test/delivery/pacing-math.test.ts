import { describe, expect, it } from "vitest";
import {
  after429,
  afterSuccess,
  blameOf,
  type ChannelPace,
  DEFAULT_LEARN,
  DEFAULT_WORKSPACE_LEARN,
  gcraFor,
  initialPace,
  tatAfterSuccess,
  workspaceAfter429,
  workspaceAfterSuccess,
  workspaceHold,
} from "../../src/delivery/pacing-math.ts";

const s = DEFAULT_LEARN;

/**
 * A channel against a limit that allows `truth` intervals of burst: every pressed post succeeds
 * while the allowance stays within it, and draws a 429 once it goes over.
 */
function simulate(truth: number, posts: number) {
  let p = initialPace(s);
  let limited = 0;
  for (let i = 0; i < posts; i++) {
    if (p.allowance > truth) {
      limited++;
      p = after429(p, s);
    } else p = afterSuccess(p, true, s);
  }
  return { p, limited };
}

/**
 * One channel's line (one post in flight at a time) against a token bucket of `truth + 1` calls
 * refilled at one per interval, as Slack's documented "1 per second, short bursts" reads: each
 * post is granted by GCRA at the pacer's allowance, reaches the bucket `delays[i]` ms after its
 * grant, and its answer is back 1 ms later, when the next post may be granted. Counts 429s.
 */
function arrivals(allowance: number, truth: number, delays: number[], fromAnswer: boolean) {
  const T = 100;
  let tat = 0;
  let free = 0; // when the next post may be granted (the previous answer is back)
  let tokens = truth + 1;
  let last = 0;
  let limited = 0;
  for (const d of delays) {
    const g = Math.max(free, tat - allowance * T);
    tat = Math.max(tat, g) + T;
    const at = g + d;
    tokens = Math.min(truth + 1, tokens + (at - last) / T);
    last = at;
    if (tokens >= 1) tokens -= 1;
    else limited++;
    free = at + 1;
    if (fromAnswer) tat = tatAfterSuccess(tat, free, T, allowance);
  }
  return limited;
}

describe("pacing math (pure)", () => {
  it("a post that reached Slack late moves the next slot: jitter never looks like a burst", () => {
    // most posts arrive at once, some 2.4 intervals after their grant (a busy worker)
    const delays = Array.from({ length: 600 }, (_, i) => (i % 7 === 3 ? 240 : 3 + (i % 3)));
    // slots counted from grants: posts after a late one bunch up at Slack
    expect(arrivals(1, 1, delays, false)).toBeGreaterThan(10);
    expect(arrivals(0, 0, delays, false)).toBeGreaterThan(10);
    // counted from the answer as well: never over the limit, burst or none
    for (const truth of [0, 1, 2, 3]) {
      for (let a = 0; a <= truth; a += 0.5) expect(arrivals(a, truth, delays, true)).toBe(0);
    }
    // what it costs: nothing once the allowance covers the round trip
    expect(tatAfterSuccess(1000, 950, 100, 1)).toBe(1050);
    expect(tatAfterSuccess(1000, 850, 100, 1)).toBe(1000);
    // wider spacing learned after 429s applies from the answer too
    expect(tatAfterSuccess(1000, 950, 100, -0.5)).toBe(1100);
  });

  it("starts with no burst", () => {
    expect(initialPace(s)).toEqual({ allowance: 0, successes: 0 });
    expect(gcraFor(0, 1000)).toEqual({ intervalMs: 1000, toleranceMs: 0 });
  });

  it("grows only while the channel sends at its rate, up to the configured most", () => {
    let p: ChannelPace = initialPace(s);
    for (let i = 0; i < 5; i++) p = afterSuccess(p, false, s);
    expect(p.allowance).toBe(0);
    for (let i = 0; i < 10; i++) p = afterSuccess(p, true, s);
    expect(p.allowance).toBeCloseTo(10 * s.step, 9);
    for (let i = 0; i < 1000; i++) p = afterSuccess(p, true, s);
    expect(p.allowance).toBe(s.max);
  });

  it("a 429 halves the allowance, at least by half the margin, and remembers where it hurt", () => {
    expect(after429({ allowance: 2, successes: 40 }, s)).toEqual({
      allowance: 1,
      ceiling: 2,
      successes: 0,
    });
    // a 429 above zero stops at zero: counted from answers, zero is one per interval at most
    expect(after429({ allowance: 0.2, successes: 3 }, s).allowance).toBe(0);
    expect(afterSuccess({ allowance: 0, ceiling: 0.2, successes: 3 }, true, s).allowance).toBe(0);
    expect(afterSuccess({ allowance: 0.3, successes: 3 }, true, s, 0.2).allowance).toBe(0);
    // a 429 at zero (Slack's clock against ours) widens the spacing instead
    const p = after429({ allowance: 0, successes: 3 }, s);
    expect(p.allowance).toBeCloseTo(-0.5, 9);
    expect(gcraFor(p.allowance, 1000).intervalMs).toBeCloseTo(1500, 6);
    expect(gcraFor(p.allowance, 1000).toleranceMs).toBe(0);
    // never below the floor
    expect(after429({ allowance: -0.5, successes: 0 }, s).allowance).toBe(s.min);
  });

  it("after a 429 it stays a margin below it until holdSuccesses have passed, then probes again", () => {
    let p = after429({ allowance: 1.2, successes: 0 }, s);
    for (let i = 1; i < s.holdSuccesses; i++) p = afterSuccess(p, true, s);
    expect(p.allowance).toBeCloseTo(1.2 - s.margin, 9);
    expect(p.ceiling).toBe(1.2);
    p = afterSuccess(p, true, s);
    expect(p.ceiling).toBeUndefined();
    p = afterSuccess(p, true, s);
    expect(p.allowance).toBeGreaterThan(1.2 - s.margin);
  });

  it.each([0, 1, 2, 3])(
    "against a burst of %i: at most one 429 per 500 pressed posts, and the allowance ends within it",
    (truth) => {
      const { p, limited } = simulate(truth, 500);
      expect(limited).toBeLessThanOrEqual(1);
      expect(p.allowance).toBeLessThanOrEqual(truth);
      // close to what is allowed: within the margin (or at the configured most)
      expect(p.allowance).toBeGreaterThanOrEqual(Math.min(truth, s.max) - s.margin - 1e-9);
    },
  );

  it("with no burst at all it learns extra spacing instead of retrying into 429s", () => {
    // jitter makes sends closer than one interval look like a burst: allow -0.1 at most
    const { p, limited } = simulate(-0.1, 2000);
    expect(limited).toBeLessThanOrEqual(4);
    expect(p.allowance).toBeLessThanOrEqual(-0.1);
  });

  it("one channel's 429 caps every channel's burst: the policy is the workspace's", () => {
    // another channel drew a 429 at 1: this one stays a margin below it, even from above
    let p: ChannelPace = { allowance: 0.9, successes: 10 };
    p = afterSuccess(p, true, s, 1);
    expect(p.allowance).toBeCloseTo(1 - s.margin, 9);
    for (let i = 0; i < 50; i++) p = afterSuccess(p, true, s, 1);
    expect(p.allowance).toBeCloseTo(1 - s.margin, 9);
    // not pressed: nothing changes
    expect(afterSuccess({ allowance: 0.9, successes: 0 }, false, s, 1).allowance).toBe(0.9);
    expect(workspaceHold(s)).toBe(10 * s.holdSuccesses);
  });

  it("workspace factor: cut by a 429 in an idle channel, restored by successes, never to zero", () => {
    const w = DEFAULT_WORKSPACE_LEARN;
    expect(workspaceAfter429(1, w)).toBeCloseTo(0.7, 9);
    let f = 1;
    for (let i = 0; i < 50; i++) f = workspaceAfter429(f, w);
    expect(f).toBe(w.minFactor);
    for (let i = 0; i < 1000; i++) f = workspaceAfterSuccess(f, w);
    expect(f).toBe(1);
  });

  it("blames the workspace only when the channel had been idle half an interval past its spacing", () => {
    expect(blameOf(1000, 1000)).toBe("channel");
    expect(blameOf(1499, 1000)).toBe("channel");
    expect(blameOf(1500, 1000)).toBe("workspace");
    // after 429s widened the channel's spacing to 1.4 intervals, idle means 1.9
    expect(blameOf(1800, 1000, -0.4)).toBe("channel");
    expect(blameOf(1900, 1000, -0.4)).toBe("workspace");
  });
});
