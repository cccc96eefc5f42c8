import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { paymentAlert, waitFor } from "./emu.ts";
import { cleanup, connect, REDIS_URL, uniquePrefix } from "./helpers.ts";

// Own file (own process): run after other delivery tests in one process, idle workers of a new
// Delivery woke late for short delays (see the report); the behaviour under test is the 429.
const SCALE = 20;
const FIN = "C0FINANCE1";
const prefix = uniquePrefix("delivery429");
let redis: RedisClient;

beforeAll(() => {
  redis = connect();
});
afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

async function drained(d: Delivery): Promise<void> {
  await waitFor("queue drained", async () => {
    const s = await d.stats();
    return s.waiting + s.delayed + s.active === 0 && s.oldestAgeMs === 0;
  });
}

describe("Slack 429", () => {
  it("a 429 holds back only its channel; everything still arrives once and in order", async () => {
    // This emulator allows 0.01 posts/s per channel (scaled: one per 5 s) while our pacer is told 4/s:
    // the emulator answers 429 and its Retry-After must hold only that channel.
    const strict = await startSlackEmu({
      timeScale: SCALE,
      limits: { postMessagePerChannel: { ratePerSecond: 0.01, burst: 2 } },
    });
    const d = createSlackDelivery({
      connection: REDIS_URL,
      prefix,
      slack: { token: strict.botToken, slackApiUrl: strict.url },
      config: {
        timeScale: SCALE,
        channelPerSecond: 4,
        channelBurst: 6,
        digests: { enabled: false },
      },
    });
    try {
      // Five into a bucket of 2 refilled every 5 s: a 429 is certain unless the posts drift over
      // 15 s apart, which a busy CI machine's late wake-ups did with three (flaky).
      const hot = Array.from({ length: 5 }, (_, i) => paymentAlert(300 + i, FIN));
      const calm = Array.from({ length: 2 }, (_, i) => paymentAlert(400 + i, "C0AP000001"));
      for (const a of [...hot, ...calm]) await d.enqueue(a);
      d.startWorker({ concurrency: 4 });
      await drained(d);
      const limited = strict.inspect.rateLimited();
      expect(limited.total).toBeGreaterThan(0);
      expect(limited.byChannel[FIN]).toBe(limited.total);
      expect((await d.stats()).rateLimited).toBe(limited.total);
      const ids = (ch: string) =>
        strict.inspect.messages(ch).map((m) => m.metadata?.event_payload.alert_id);
      expect(ids(FIN)).toEqual(hot.map((a) => a.id));
      expect(ids("C0AP000001")).toEqual(calm.map((a) => a.id));
      // The calm channel was not held behind the hot one's 429s.
      const lastCalm = Number(strict.inspect.messages("C0AP000001").at(-1)?.ts);
      const lastHot = Number(strict.inspect.messages(FIN).at(-1)?.ts);
      expect(lastCalm).toBeLessThan(lastHot);
    } finally {
      await d.close();
      await strict.close();
    }
  }, 90_000);
});
