import { type FetchFunction, LogLevel, WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slackLimits } from "../../sandbox/slack-emu/limits.ts";
import { startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { deliveryKeys } from "../../src/delivery/keys.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { METHOD_TIERS, methodOf, pacedFetch } from "../../src/slack/destination/method-pacing.ts";
import { cleanup, connect, uniquePrefix } from "../delivery/helpers.ts";

const SCALE = 20;
let redis: RedisClient;
const prefix = uniquePrefix("method-pacing");
beforeAll(() => {
  redis = connect();
});
afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

const home = { type: "home", blocks: [{ type: "section", text: { type: "mrkdwn", text: "hi" } }] };

describe("every tiered method paced through RedisClient (pacedFetch)", () => {
  it("knows the tiers the issue names", () => {
    expect(METHOD_TIERS["chat.update"]).toBe(3);
    expect(METHOD_TIERS["chat.postEphemeral"]).toBe(4);
    expect(METHOD_TIERS["views.publish"]).toBe(4);
    expect(METHOD_TIERS["views.update"]).toBe(4);
    expect(METHOD_TIERS["views.open"]).toBe(4);
    expect(METHOD_TIERS["conversations.history"]).toBe(3);
    expect(METHOD_TIERS["conversations.replies"]).toBe(3);
    expect(METHOD_TIERS["usergroups.users.list"]).toBe(2);
    expect(METHOD_TIERS["chat.postMessage"]).toBeUndefined(); // special: delivery's pacer
    expect(methodOf("http://127.0.0.1:1/api/views.publish")).toBe("views.publish");
  });

  it("two replicas calling views.publish at once share one budget: no 429, where unpaced clients draw them", async () => {
    // Tier 4 is "100+ per minute": this emulator allows 150 (scaled), a burst of 8 (room for
    // timers that fire late together on a loaded machine).
    const limits = slackLimits({
      methodBuckets: { "views.publish": { ratePerSecond: 150 / 60, burst: 8 } },
    });
    const emu = await startSlackEmu({ timeScale: SCALE, limits });
    try {
      const user = "U0APPR0001";
      const client = (paced: boolean) =>
        new WebClient(emu.botToken, {
          slackApiUrl: emu.url,
          logLevel: LogLevel.ERROR,
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
          ...(paced ? { fetch: pacedFetch({ redis, prefix, timeScale: SCALE }) } : {}),
        });
      const burst = (c: WebClient, n: number) =>
        Promise.allSettled(
          Array.from({ length: n }, () => c.views.publish({ user_id: user, view: home as never })),
        );
      const unpaced = [client(false), client(false)];
      const raw = (await Promise.all(unpaced.map((c) => burst(c, 40)))).flat();
      expect(raw.filter((r) => r.status === "rejected").length).toBeGreaterThan(0);
      emu.control.resetLimits();
      const limitedBefore = emu.inspect.rateLimited().total;
      const paced = [client(true), client(true)];
      const started = Date.now();
      const out = (await Promise.all(paced.map((c) => burst(c, 15)))).flat();
      expect(out.filter((r) => r.status === "rejected")).toEqual([]);
      expect(emu.inspect.rateLimited().total).toBe(limitedBefore);
      // 30 calls at 100/min (scaled 20: 30 ms apart), none back to back: about 0.87 s
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    } finally {
      await emu.close();
    }
  }, 60_000);

  it("allows no burst unless told: methodBurst calls go back to back beyond the steady rate", async () => {
    const times = (burst?: number) => async () => {
      const p = `${prefix}burst${burst ?? "none"}:`;
      const at: number[] = [];
      const ok: FetchFunction = async () => {
        at.push(Date.now());
        return new Response('{"ok":true}', { status: 200 }) as never;
      };
      // chat.update is Tier 3 (50/min): at time scale 6, one call per 200 ms
      const f = pacedFetch({
        redis,
        prefix: p,
        fetch: ok,
        timeScale: 6,
        ...(burst !== undefined ? { burst } : {}),
      });
      const start = Date.now();
      for (let i = 0; i < 3; i++) await f("http://127.0.0.1:1/api/chat.update", {});
      return at.map((t) => t - start);
    };
    const cautious = await times()();
    expect(cautious[1]).toBeGreaterThanOrEqual(190);
    expect(cautious[2]).toBeGreaterThanOrEqual(390);
    const told = await times(2)();
    // three calls with nothing to wait for: well under one spacing, even on a loaded machine
    expect(told[2]).toBeLessThan(190);
  });

  it("a 429 holds the method for every replica for Retry-After", async () => {
    const p = `${prefix}hold:`;
    const fake: FetchFunction = async () =>
      ({
        ok: false,
        status: 429,
        statusText: "Too Many Requests",
        url: "",
        headers: { get: (n: string) => (n === "retry-after" ? "3" : null), entries: () => [] },
        arrayBuffer: async () => new ArrayBuffer(0),
        json: async () => ({ ok: false, error: "ratelimited" }),
        text: async () => "",
      }) as never;
    const f = pacedFetch({ redis, prefix: p, fetch: fake, maxWaitMs: 100 });
    const before = Date.now();
    await f("http://127.0.0.1:1/api/chat.postEphemeral", {});
    const held = Number(await redis.get(deliveryKeys(p).methodTat("chat.postEphemeral")));
    expect(held).toBeGreaterThanOrEqual(before + 3000);
    expect(await redis.pttl(deliveryKeys(p).methodTat("chat.postEphemeral"))).toBeGreaterThan(3000);
  });
});
