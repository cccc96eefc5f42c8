import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { paymentAlert, pendingCount, startEmu, waitFor } from "./emu.ts";
import { cleanup, connect, uniquePrefix } from "./helpers.ts";

const SCALE = 20;
const FIN = "C0FINANCE1";
let redis: RedisClient;
let emu: SlackEmu;
const prefix = uniquePrefix("requeue-delivered");

beforeAll(async () => {
  redis = connect();
  emu = await startEmu(SCALE);
});
afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
  await emu.close();
});

function make(): Delivery {
  return createSlackDelivery({
    connection: redis,
    prefix,
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    config: { timeScale: SCALE, retryDelayMs: 50, digests: { enabled: false } },
  });
}

describe("enqueueing an alert that already reached Slack", () => {
  it("registers nothing: no pending entry and no place in its channel's line", async () => {
    const worker = make();
    worker.startWorker({ concurrency: 2 });
    const a = paymentAlert(1, FIN);
    await worker.enqueue(a);
    await waitFor("posted", () => emu.inspect.messages(FIN).length === 1);
    await waitFor("pending empty", async () => (await pendingCount(redis, prefix)) === 0);
    await worker.close();

    // A poll retried after a sink failure enqueues the same alert again. With no worker left to
    // clean up after it, anything registered now would block the channel's line for good.
    const again = make();
    try {
      await again.enqueue(a);
      expect(await pendingCount(redis, prefix)).toBe(0);
      const stats = await again.stats();
      expect(stats.waiting + stats.delayed).toBe(0);
    } finally {
      await again.close();
    }
    expect(emu.inspect.messages(FIN)).toHaveLength(1);
  });
});
