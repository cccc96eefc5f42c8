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

describe("pacing math (pure)", () => {
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
    // small allowances drop below zero: extra spacing instead of burst
    const p = after429({ allowance: 0.2, successes: 3 }, s);
    expect(p.allowance).toBeCloseTo(-0.3, 9);
    expect(gcraFor(p.allowance, 1000).intervalMs).toBeCloseTo(1300, 6);
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
