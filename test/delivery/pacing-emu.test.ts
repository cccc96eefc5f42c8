import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slackLimits } from "../../sandbox/slack-emu/limits.ts";
import { startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { createAlert } from "../../src/alerts/alert.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import { deliveryKeys } from "../../src/delivery/keys.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { loadChannel, payment, paymentAlert, seedWithChannels, waitFor } from "./emu.ts";
import { cleanup, connect, REDIS_URL, uniquePrefix } from "./helpers.ts";

// Pacing that learns: the emulator allows bursts of 0, 1 or 3 per channel (Slack publishes
// none), two deliveries on separate connections (two replicas) share the pacer through Redis.
const SCALE = 20;
let redis: RedisClient;
const prefixes: string[] = [];

beforeAll(() => {
  redis = connect();
});
afterAll(async () => {
  for (const p of prefixes) await cleanup(redis, p);
  await redis.quit();
});

async function drained(d: Delivery, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    "queue drained",
    async () => {
      const s = await d.stats();
      return s.waiting + s.delayed + s.active === 0 && s.oldestAgeMs === 0;
    },
    timeoutMs,
  );
}

describe.each([0, 1, 3] as const)("emulator burst %i, two replicas", (burst) => {
  it("every alert once and in order, at most one 429 per channel that learned, burst learned within what is allowed", async () => {
    const emu = await startSlackEmu({
      timeScale: SCALE,
      seed: seedWithChannels(3),
      limits: slackLimits({ channelBurst: burst }),
    });
    const prefix = uniquePrefix(`pacing-b${burst}`);
    prefixes.push(prefix);
    const config = { timeScale: SCALE, retryDelayMs: 50, digests: { enabled: false } };
    const make = () =>
      createSlackDelivery({
        connection: REDIS_URL,
        prefix,
        slack: { token: emu.botToken, slackApiUrl: emu.url },
        config,
      });
    const a = make();
    const b = make();
    try {
      const hot = loadChannel(0);
      const alerts = [
        ...Array.from({ length: 40 }, (_, i) => paymentAlert(1000 + i, hot)),
        ...Array.from({ length: 6 }, (_, i) => paymentAlert(2000 + i, loadChannel(1 + (i % 2)))),
      ];
      for (const x of alerts) await a.enqueue(x);
      const started = Date.now();
      a.startWorker({ concurrency: 4 });
      b.startWorker({ concurrency: 4 });
      await drained(a);
      const elapsed = Date.now() - started;
      const ids = (ch: string) =>
        emu.inspect.messages(ch).map((m) => m.metadata?.event_payload.alert_id);
      expect(ids(hot)).toEqual(alerts.filter((x) => x.channel === hot).map((x) => x.id));
      for (const ch of [loadChannel(1), loadChannel(2)]) {
        expect(ids(ch)).toEqual(alerts.filter((x) => x.channel === ch).map((x) => x.id));
      }
      const limited = emu.inspect.rateLimited();
      // a 429 teaches, it is not repeated: never a storm (each costs Retry-After, whole
      // seconds). With no burst at all, a channel learning a burst draws one.
      expect(limited.total).toBeLessThanOrEqual(burst === 0 ? 3 : 1);
      const pace = await redis.hgetall(deliveryKeys(prefix).pace(hot));
      const learned = Number(pace.a);
      // Slots count from answers, so a channel may learn a little more than the limit's burst
      // (the round trip, in intervals) without a 429; one that drew a 429 stays below where it
      // did, and not below zero unless the 429 came at zero.
      if (limited.byChannel[hot]) {
        expect(learned).toBeLessThan(Number(pace.c));
        expect(learned).toBeGreaterThanOrEqual(Number(pace.c) > 0 ? 0 : -1);
      }
      if (burst === 3) expect(learned).toBeGreaterThan(0.5);
      // 40 posts at 20/s take 2 s at best; a 429 adds one second. Generous: a loaded machine.
      expect(elapsed).toBeLessThan(2000 * 4 + limited.total * 1000);
    } finally {
      await a.close();
      await b.close();
      await emu.close();
    }
  }, 90_000);
});

describe("edits and posts in one channel", () => {
  it("posts win: edits wait for chat.update's tier in their own line, new posts keep their pace; each reply once, by its own id", async () => {
    // chat.update: Slack says "50+ per minute" for Tier 3; here the pacer assumes 20/min where
    // the emulator allows 30 (scaled: 6 edits take ~ 0.9 s, 20 posts 1 s).
    const emu = await startSlackEmu({
      timeScale: SCALE,
      seed: seedWithChannels(1),
      limits: slackLimits({
        channelBurst: 1,
        methodBuckets: { "chat.update": { ratePerSecond: 30 / 60, burst: 1 } },
      }),
    });
    const prefix = uniquePrefix("pacing-edits");
    prefixes.push(prefix);
    const d = createSlackDelivery({
      connection: REDIS_URL,
      prefix,
      slack: { token: emu.botToken, slackApiUrl: emu.url },
      config: {
        timeScale: SCALE,
        updatePerMinute: 20,
        retryDelayMs: 50,
        digests: { enabled: false },
      },
    });
    try {
      const ch = loadChannel(0);
      const firsts = Array.from({ length: 6 }, (_, i) => paymentAlert(3000 + i, ch, "10.00"));
      for (const x of firsts) await d.enqueue(x);
      d.startWorker({ concurrency: 4 });
      await drained(d);
      const edits = firsts.map((_, i) =>
        createAlert({
          kind: "record.updated",
          channel: ch,
          record: payment(3000 + i, "11.00"),
          changes: [{ field: "Amount", from: "10.00 EUR", to: "11.00 EUR" }],
        }),
      );
      const posts = Array.from({ length: 20 }, (_, i) => paymentAlert(4000 + i, ch));
      for (const e of edits) await d.enqueue(e);
      for (const p of posts) await d.enqueue(p);
      await drained(d);
      const msgs = emu.inspect.messages(ch);
      // the new posts came out in order; the first messages now carry their edit's id
      const top = msgs.map((m) => m.metadata?.event_payload.alert_id);
      expect(top).toEqual([...edits, ...posts].map((x) => x.id));
      for (const m of msgs.slice(0, 6)) {
        expect(m.edits).toHaveLength(1);
        expect(m.replies).toHaveLength(1);
        expect(m.replies[0]?.metadata?.event_payload.parent_alert_id).toBe(
          m.metadata?.event_payload.alert_id,
        );
      }
      const lastEdit = Math.max(...msgs.slice(0, 6).map((m) => Number(m.edited?.ts ?? 0)));
      const firstPost = Number(msgs[6]?.ts);
      // posts did not wait for the last edit
      expect(lastEdit).toBeGreaterThan(0);
      expect(firstPost).toBeLessThan(lastEdit);
      expect(emu.inspect.rateLimited().byMethod["chat.update"] ?? 0).toBe(0);
      expect(emu.inspect.rateLimited().total).toBeLessThanOrEqual(1);
    } finally {
      await d.close();
      await emu.close();
    }
  }, 90_000);
});
