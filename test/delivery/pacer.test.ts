import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaceSettings } from "../../src/delivery/config.ts";
import { deliveryKeys } from "../../src/delivery/keys.ts";
import { type Line, Pacer, type SendKind } from "../../src/delivery/pacer.ts";
import {
  after429,
  afterSuccess,
  DEFAULT_LEARN,
  initialPace,
} from "../../src/delivery/pacing-math.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { cleanup, connect, uniquePrefix } from "./helpers.ts";

const prefix = uniquePrefix("pacer");
let redis: RedisClient;
beforeAll(() => {
  redis = connect();
});
afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

const pace = {
  channelIntervalMs: 1000,
  channelToleranceMs: 1000, // burst 2
  workspaceIntervalMs: 100,
  workspaceToleranceMs: 0,
  updateIntervalMs: 1200,
  historyIntervalMs: 1200,
  updateToleranceMs: 0,
  historyToleranceMs: 0,
  learn: DEFAULT_LEARN,
  learnTtlMs: 60_000,
};

/**
 * Most cases here are about pacing, not lines: an alert taken without registering stands alone
 * in its line for that one take (a real alert is registered when queued and leaves on success).
 */
class SoloPacer extends Pacer {
  readonly #keys: ReturnType<typeof deliveryKeys>;
  constructor(...args: ConstructorParameters<typeof Pacer>) {
    super(...args);
    this.#keys = args[1];
  }
  override async take(
    channel: string,
    alertId: string,
    kind?: SendKind,
    line?: Line,
    lookupMethod?: string,
  ) {
    const k = this.#keys;
    const known =
      (await redis.zscore(k.order(channel), alertId)) !== null ||
      (await redis.zscore(k.edits(channel), alertId)) !== null;
    if (known) return super.take(channel, alertId, kind, line, lookupMethod);
    await this.register(channel, alertId, line);
    try {
      return await super.take(channel, alertId, kind, line, lookupMethod);
    } finally {
      await this.release(channel, alertId);
    }
  }
}

function pacerAt(p: string, clock: { t: number }, over: Partial<PaceSettings> = {}) {
  return new SoloPacer(redis, deliveryKeys(p), { ...pace, ...over }, () => clock.t);
}

describe("pacer-take.lua against real Redis", () => {
  it("keeps channel order: only the head may send, others get an estimate by rank", async () => {
    const clock = { t: 1_000_000 };
    const pacer = pacerAt(`${prefix}a:`, clock);
    for (const id of ["a1", "a2", "a3"]) await pacer.register("C1", id);
    expect(await pacer.register("C1", "a1")).toEqual({ seq: 1, rank: 0 }); // idempotent
    expect(await pacer.register("C1", "a3")).toEqual({ seq: 3, rank: 2 });
    expect(pacer.estimateWaitMs(1)).toBe(0); // burst 2: ranks 0 and 1 go at once
    expect(pacer.estimateWaitMs(5)).toBe(4000);
    const r3 = await pacer.take("C1", "a3");
    // burst 2: a1 and a2 may go at once, a3 one interval later
    expect(r3).toEqual({
      granted: false,
      reason: "not_head",
      waitMs: 1000,
      head: "a1",
      rank: 2,
    });
    expect(await pacer.take("C1", "a1")).toEqual({ granted: true });
    await pacer.release("C1", "a1");
    // burst 2: a2 may go at once too
    clock.t += 100;
    expect(await pacer.take("C1", "a2")).toEqual({ granted: true });
    await pacer.release("C1", "a2");
    clock.t += 100;
    const r = await pacer.take("C1", "a3");
    expect(r).toMatchObject({ granted: false, reason: "rate" });
    if (!r.granted) expect(r.waitMs).toBe(800); // TAT 1,002,000 - tolerance 1000 - now 1,000,200
    clock.t += 800;
    expect(await pacer.take("C1", "a3")).toEqual({ granted: true });
  });

  it("paces at the channel rate over time (GCRA: n sends need (n - burst) intervals)", async () => {
    const clock = { t: 5_000_000 };
    const pacer = pacerAt(`${prefix}b:`, clock, { workspaceIntervalMs: 1 });
    let sent = 0;
    const start = clock.t;
    while (sent < 10) {
      const id = `m${sent}`;
      await pacer.register("C2", id);
      const r = await pacer.take("C2", id);
      if (r.granted) {
        await pacer.release("C2", id);
        sent++;
      } else clock.t += r.waitMs;
    }
    expect(clock.t - start).toBe(8000);
  });

  it("never grants an alert that is in neither line (rolled into a digest after its snapshot)", async () => {
    const clock = { t: 2_000_000 };
    const p = `${prefix}gone:`;
    const keys = deliveryKeys(p);
    const pacer = new Pacer(redis, keys, pace, () => clock.t);
    for (const id of ["h", "x", "y"]) await pacer.register("C9", id);
    // What digest.ts claim() does: the head's digest takes its place, members leave the line.
    const score = await redis.zscore(keys.order("C9"), "h");
    await redis.zadd(keys.order("C9"), Number(score), "dg");
    await redis.zrem(keys.order("C9"), "h", "x");
    // x was in the digest: it was about to go alone once the head left (the old script granted it).
    expect(await pacer.take("C9", "x")).toEqual({
      granted: false,
      reason: "not_in_line",
      waitMs: 1,
      head: "dg",
      rank: 0,
    });
    expect(await pacer.take("C9", "x", "history")).toMatchObject({ reason: "not_in_line" });
    expect(await pacer.take("C9", "x", "update", "edit")).toMatchObject({ reason: "not_in_line" });
    expect(await pacer.take("C9", "dg")).toEqual({ granted: true });
  });

  it("an edit whose message is gone goes back to the post line in its place, not outside it", async () => {
    const clock = { t: 3_000_000 };
    const p = `${prefix}back:`;
    const keys = deliveryKeys(p);
    const pacer = new Pacer(redis, keys, pace, () => clock.t);
    await pacer.register("C8", "p1");
    await pacer.register("C8", "e1", "edit");
    await pacer.register("C8", "p2");
    expect(await pacer.take("C8", "e1")).toMatchObject({ reason: "not_in_line" });
    expect(await pacer.toPostLine("C8", "e1")).toBe(true);
    expect(await redis.zrange(keys.order("C8"), "0", "-1")).toEqual(["p1", "e1", "p2"]);
    expect(await redis.zcard(keys.edits("C8"))).toBe(0);
    expect(await pacer.toPostLine("C8", "e1")).toBe(false);
    expect(await pacer.take("C8", "e1")).toMatchObject({ reason: "not_head", head: "p1" });
  });

  it("a look-up in a thread (conversations.replies) has its own Tier 3 budget, not history's", async () => {
    const clock = { t: 4_000_000 };
    const p = `${prefix}lookup:`;
    const pacer = pacerAt(p, clock);
    const keys = deliveryKeys(p);
    expect(await pacer.take("C1", "h1", "history")).toEqual({ granted: true });
    // history's budget is spent for 1.2 s; a thread's look-up still goes at once
    expect(await pacer.take("C2", "r1", "history", "post", "conversations.replies")).toEqual({
      granted: true,
    });
    expect(await pacer.take("C3", "r2", "history", "post", "conversations.replies")).toMatchObject({
      granted: false,
      reason: "rate",
      waitMs: 1200,
    });
    // the same keys pacedFetch uses for the method (method-take.lua), so both sides share it
    expect(Number(await redis.get(keys.methodTat("conversations.replies")))).toBe(clock.t + 1200);
    expect(Number(await redis.get(keys.methodTat("conversations.history")))).toBe(clock.t + 1200);
  });

  it("chat.update and look-ups allow the tier's burst (methodBurst), as pacedFetch does on the same budgets", async () => {
    const clock = { t: 4_500_000 };
    const pacer = pacerAt(`${prefix}mburst:`, clock, {
      updateToleranceMs: 2400,
      historyToleranceMs: 2400,
    });
    // an edit that missed its slot is not lost: up to two more go back to back
    for (const id of ["u1", "u2", "u3"]) {
      expect(await pacer.take("C1", id, "update", "edit")).toEqual({ granted: true });
    }
    expect(await pacer.take("C1", "u4", "update", "edit")).toMatchObject({
      granted: false,
      reason: "rate",
      waitMs: 1200,
    });
    for (const id of ["h1", "h2", "h3"]) {
      expect(await pacer.take("C2", id, "history")).toEqual({ granted: true });
    }
    expect(await pacer.take("C2", "h4", "history")).toMatchObject({ reason: "rate" });
  });

  it("a 429 blocks only its channel, for Retry-After", async () => {
    const clock = { t: 9_000_000 };
    const pacer = pacerAt(`${prefix}c:`, clock, { workspaceIntervalMs: 1 });
    await pacer.pushBack("C1", 3000);
    expect(await pacer.take("C1", "x")).toEqual({
      granted: false,
      reason: "blocked",
      waitMs: 3000,
      head: "x",
      rank: 0,
    });
    expect(await pacer.take("C2", "y")).toEqual({ granted: true });
    clock.t += 3000;
    expect(await pacer.take("C1", "x")).toEqual({ granted: true });
  });

  it("the workspace cap applies across channels; denial takes no bucket", async () => {
    const clock = { t: 12_000_000 };
    const pacer = pacerAt(`${prefix}d:`, clock, {
      workspaceIntervalMs: 500,
      workspaceToleranceMs: 0,
    });
    expect(await pacer.take("C1", "x")).toEqual({ granted: true });
    expect(await pacer.take("C2", "y")).toMatchObject({
      granted: false,
      reason: "rate",
      waitMs: 500,
    });
    // C2's own bucket was not consumed by the denied call: after the workspace wait it can go.
    clock.t += 500;
    expect(await pacer.take("C2", "y")).toEqual({ granted: true });
  });

  it("Redis server time when no clock is given", async () => {
    const pacer = new Pacer(redis, deliveryKeys(`${prefix}e:`), pace);
    await pacer.register("C9", "z");
    expect(await pacer.take("C9", "z")).toEqual({ granted: true });
  });
});

describe("learning pacer (pacer-take.lua + pacer-learn.lua) against real Redis", () => {
  const learnPace = { ...pace, channelToleranceMs: undefined, workspaceIntervalMs: 1 };

  it("starts with no burst: a second post waits one full interval", async () => {
    const clock = { t: 20_000_000 };
    const pacer = pacerAt(`${prefix}l1:`, clock, learnPace);
    expect(await pacer.take("C1", "a")).toEqual({ granted: true });
    expect(await pacer.take("C1", "b")).toMatchObject({ granted: false, waitMs: 1000 });
  });

  it("a post that reached Slack late: the next slot counts from its answer, not its grant", async () => {
    const clock = { t: 25_000_000 };
    const pacer = pacerAt(`${prefix}late:`, clock, learnPace);
    expect(await pacer.take("C1", "a")).toEqual({ granted: true });
    clock.t += 300; // the answer came back 300 ms after the grant
    await pacer.succeeded("C1");
    expect(await pacer.take("C1", "b")).toMatchObject({ granted: false, waitMs: 1000 });
    // an answer back at once leaves the grant's slot as it was (less the 0.1 interval of burst
    // that pressed post taught)
    clock.t += 1000;
    expect(await pacer.take("C1", "b")).toEqual({ granted: true });
    await pacer.succeeded("C1");
    expect(await pacer.take("C1", "c")).toMatchObject({ granted: false, waitMs: 900 });
  });

  it("applies the same rules as pacing-math.ts, and replicas share what one learned", async () => {
    const clock = { t: 30_000_000 };
    const p = `${prefix}l2:`;
    const one = pacerAt(p, clock, learnPace);
    const two = pacerAt(p, clock, learnPace); // another replica: same keys
    let model = initialPace(DEFAULT_LEARN);
    // pressed posts (sent back to back at the rate) alternate between replicas
    for (let i = 0; i < 12; i++) {
      const pacer = i % 2 === 0 ? one : two;
      let r = await pacer.take("C1", `m${i}`);
      while (!r.granted) {
        clock.t += r.waitMs;
        r = await pacer.take("C1", `m${i}`);
      }
      const learned = await pacer.succeeded("C1");
      // the first post found the channel idle: not pressed, nothing learned from it
      model = afterSuccess(model, i > 0, DEFAULT_LEARN);
      expect(learned.allowance).toBeCloseTo(model.allowance, 9);
    }
    // a 429 right after a post: the channel's fault
    clock.t += 10;
    await one.take("C1", "x").then(async (r) => {
      while (!r.granted) {
        clock.t += r.waitMs;
        r = await one.take("C1", "x");
      }
    });
    const hit = await two.rateLimited("C1", 3000);
    model = after429(model, DEFAULT_LEARN);
    expect(hit.blame).toBe("channel");
    expect(hit.allowance).toBeCloseTo(model.allowance, 9);
    // one wait of Retry-After for this channel, on both replicas
    expect(await one.take("C1", "y")).toMatchObject({ granted: false, reason: "blocked" });
    clock.t += 3000;
    expect(await two.take("C1", "y")).toEqual({ granted: true });
  });

  it("a 429 above zero stops the lesson at zero, in Lua as in pacing-math.ts", async () => {
    const clock = { t: 35_000_000 };
    const pacer = pacerAt(`${prefix}zero:`, clock, learnPace);
    let model = initialPace(DEFAULT_LEARN);
    for (let i = 0; i < 4; i++) {
      let r = await pacer.take("C1", `m${i}`);
      while (!r.granted) {
        clock.t += r.waitMs;
        r = await pacer.take("C1", `m${i}`);
      }
      const learned = i === 3 ? await pacer.rateLimited("C1", 1000) : await pacer.succeeded("C1");
      model = i === 3 ? after429(model, DEFAULT_LEARN) : afterSuccess(model, i > 0, DEFAULT_LEARN);
      expect(learned.allowance).toBeCloseTo(model.allowance, 9);
      if (i === 3) clock.t += 1000;
    }
    expect(model.allowance).toBe(0); // 0.2 drew the 429: zero, not -0.3
    let r = await pacer.take("C1", "n");
    while (!r.granted) {
      clock.t += r.waitMs;
      r = await pacer.take("C1", "n");
    }
    await pacer.succeeded("C1");
    clock.t += 1;
    const next = await pacer.take("C1", "o");
    // held at zero, not below: the next slot is one interval after the answer, no wider
    expect(next).toMatchObject({ granted: false, reason: "rate", waitMs: 999 });
  });

  it("a 429 in a channel idle for over 1.5 intervals teaches the workspace rate, not the channel", async () => {
    const clock = { t: 40_000_000 };
    const pacer = pacerAt(`${prefix}l3:`, clock, { ...learnPace, workspaceIntervalMs: 100 });
    expect(await pacer.take("C1", "a")).toEqual({ granted: true });
    clock.t += 5000;
    expect(await pacer.take("C1", "b")).toEqual({ granted: true });
    const hit = await pacer.rateLimited("C1", 1000);
    expect(hit.blame).toBe("workspace");
    expect(hit.allowance).toBe(0); // the channel's allowance is untouched
    expect(hit.factor).toBeCloseTo(0.7, 9);
    // the workspace bucket now spaces posts 100 / 0.7 ms apart, in every channel
    clock.t += 100;
    expect(await pacer.take("C2", "c")).toEqual({ granted: true });
    const r = await pacer.take("C3", "d");
    expect(r).toMatchObject({ granted: false, reason: "rate" });
    // (Lua hands back whole milliseconds)
    if (!r.granted) expect(r.waitMs).toBe(Math.floor(100 / 0.7));
  });

  it("a channel's 429 caps the burst every other channel learns (one lesson per workspace)", async () => {
    const clock = { t: 45_000_000 };
    const pacer = pacerAt(`${prefix}l5:`, clock, learnPace);
    const sendPressed = async (ch: string, n: number) => {
      let last = { allowance: 0, factor: 1, blame: "" as const } as Awaited<
        ReturnType<Pacer["succeeded"]>
      >;
      for (let i = 0; i < n; i++) {
        let r = await pacer.take(ch, `${ch}-${i}`);
        while (!r.granted) {
          clock.t += r.waitMs;
          r = await pacer.take(ch, `${ch}-${i}`);
        }
        last = await pacer.succeeded(ch);
      }
      return last;
    };
    expect((await sendPressed("C1", 12)).allowance).toBeCloseTo(1, 9);
    expect((await pacer.rateLimited("C1", 1000)).blame).toBe("channel");
    clock.t += 1000;
    // C2 never drew a 429 but stops half an interval below where C1 did
    expect((await sendPressed("C2", 30)).allowance).toBeCloseTo(0.5, 9);
  });

  it("posts win: an edit waits in its own line and never holds a newer post back", async () => {
    const clock = { t: 50_000_000 };
    const pacer = pacerAt(`${prefix}l4:`, clock, { ...learnPace, updateIntervalMs: 5000 });
    await pacer.register("C1", "post1");
    await pacer.register("C1", "edit1", "edit");
    await pacer.register("C1", "post2");
    // edit1 came after post1: it waits for it (it may be the message it edits)
    expect(await pacer.take("C1", "edit1", "update", "edit")).toMatchObject({
      granted: false,
      reason: "not_head",
      head: "post1",
    });
    expect(await pacer.take("C1", "post1")).toEqual({ granted: true });
    await pacer.release("C1", "post1");
    expect(await pacer.take("C1", "edit1", "update", "edit")).toEqual({ granted: true });
    // the edit is in flight and chat.update's bucket is spent: post2 goes regardless
    clock.t += 1000;
    expect(await pacer.take("C1", "post2")).toEqual({ granted: true });
  });
});
