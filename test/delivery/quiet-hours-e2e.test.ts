import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import { createAlert } from "../../src/alerts/alert.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { payment, paymentAlert, startEmu, waitFor } from "./emu.ts";
import { cleanup, connect, uniquePrefix } from "./helpers.ts";

const CH = "C0CC100001";
const prefix = uniquePrefix("quiet");
let redis: RedisClient;
let emu: SlackEmu;

beforeAll(async () => {
  redis = connect();
  emu = await startEmu(20);
});
afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
  await emu.close();
});

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

describe("quiet hours", () => {
  it("hold alerts while quiet and deliver one digest when the window ends; decisions wait, then go alone", async () => {
    // A clock 1.5 s before the end of a one-minute quiet window (UTC), running at real speed.
    const real = Date.now();
    const minuteStart = Math.floor(real / 60_000) * 60_000 + 120_000;
    const offset = minuteStart + 58_500 - real;
    const clock = () => Date.now() + offset;
    const d = createSlackDelivery({
      connection: redis,
      prefix,
      clock,
      slack: { token: emu.botToken, slackApiUrl: emu.url },
      config: {
        timeScale: 20,
        digests: { enabled: false },
        quietHours: {
          [CH]: { start: hhmm(minuteStart), end: hhmm(minuteStart + 60_000), timeZone: "UTC" },
        },
      },
    });
    try {
      d.startWorker({ concurrency: 4 });
      for (let i = 0; i < 4; i++) await d.enqueue(paymentAlert(500 + i, CH, "2.50"));
      const decision = createAlert({
        kind: "record.new",
        channel: CH,
        record: payment(600),
        needsDecision: { approvalId: "apr-1" },
      });
      await d.enqueue(decision);
      await waitFor("held", async () => (await redis.scard(`${prefix}dlv:held:${CH}`)) === 4);
      expect(emu.inspect.messages(CH)).toHaveLength(0);
      await waitFor("after the window", () => emu.inspect.messages(CH).length >= 2, 15_000);
      await waitFor("settled", async () => (await d.stats()).oldestAgeMs === 0);
      const msgs = emu.inspect.messages(CH);
      expect(msgs).toHaveLength(2);
      const digest = msgs.find((m) => m.text.startsWith("4 new records"));
      expect(digest?.text).toContain("10.00 EUR");
      expect(digest?.text).toContain("quiet hours");
      expect(msgs.some((m) => JSON.stringify(m.blocks).includes("approval.approve"))).toBe(true);
    } finally {
      await d.close();
    }
  });
});
