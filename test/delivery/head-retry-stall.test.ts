import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import { QUIET_END_JOB } from "../../src/delivery/context.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { paymentAlert, startEmu, waitFor } from "./emu.ts";
import { cleanup, connect, uniquePrefix } from "./helpers.ts";

const SCALE = 20;
const FIN = "C0FINANCE1";
/** Jobs of other work in the wait list ahead of the retry (the chaos run had ~9,400). */
const BACKLOG = 3000;
const prefix = uniquePrefix("head-retry");
let redis: RedisClient;
let emu: SlackEmu;
let d: Delivery | undefined;

beforeAll(async () => {
  redis = connect();
  emu = await startEmu(SCALE);
});
afterAll(async () => {
  await d?.close();
  await cleanup(redis, prefix);
  await redis.quit();
  await emu.close();
});

describe("a channel's head retried after a Slack 5xx, with a long queue", () => {
  it("goes again at the front of the wait list, not behind the whole queue", async () => {
    d = createSlackDelivery({
      connection: redis,
      prefix,
      slack: { token: emu.botToken, slackApiUrl: emu.url },
      config: { timeScale: SCALE, retryDelayMs: 50, digests: { enabled: false } },
    });
    const alerts = [1, 2, 3, 4, 5].map((n) => paymentAlert(n, FIN, `${n}00.00`));
    for (const a of alerts) await d.enqueue(a);
    // Other work already waiting: cheap jobs (a quiet-hours end with nothing held).
    await d.queue.addBulk(
      Array.from({ length: BACKLOG }, (_, i) => ({
        name: QUIET_END_JOB,
        data: { channel: `CIDLE${i % 50}` },
        opts: { jobId: `filler-${i}`, removeOnComplete: true },
      })),
    );
    emu.control.addFault({
      kind: "5xx",
      status: 500,
      method: "chat.postMessage",
      channel: FIN,
      next: 1,
    });
    d.startWorker({ concurrency: 2 });

    const d0 = d;
    await waitFor("the channel's five alerts", () => emu.inspect.messages(FIN).length >= 5, 60_000);
    // Before the fix the retried head went to the back of the wait list: the channel finished
    // only after (nearly) all of the backlog had been worked through. The five posts take about
    // a second (20 posts/s, each slot counted from Slack's answer), in which the two workers get
    // through 1,200-1,800 cheap jobs here: a fifth of the backlog left is far from "nearly all".
    const left = await d0.queue.getWaitingCount();
    expect(left).toBeGreaterThan(BACKLOG / 5);
    expect(emu.inspect.messages(FIN).map((m) => m.metadata?.event_payload?.alert_id)).toEqual(
      alerts.map((a) => a.id),
    );
    await waitFor(
      "backlog drained",
      async () => {
        const s = await d0.stats();
        return s.waiting + s.delayed + s.active === 0;
      },
      60_000,
    );
    expect(emu.inspect.messages(FIN)).toHaveLength(5);
  }, 90_000);
});
