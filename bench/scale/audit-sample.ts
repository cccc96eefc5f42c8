import { Redis } from "ioredis";
import { slackLimits } from "../../sandbox/slack-emu/limits.ts";
import { startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import { AuditLog } from "../../src/audit/log.ts";
import type { AuditEntry } from "../../src/audit/types.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { loadChannel, paymentAlert, seedWithChannels } from "../../test/delivery/emu.ts";

/**
 * A real audit log to clone from, without the scale run's minutes: `alerts` payment alerts, one
 * per channel round-robin over `channels`, through delivery's real enqueue and one in-process
 * worker into the emulator at Slack's limits (time-scaled), until each is posted; returns the
 * log's entries (alert.stored, post.attempt, post.result per alert, as the scale run writes).
 */
export async function deliveredAuditSample(
  redisUrl: string,
  alerts: number,
  channels: number,
): Promise<AuditEntry[]> {
  const timeScale = 50;
  const emu = await startSlackEmu({
    timeScale,
    seed: seedWithChannels(channels),
    limits: slackLimits(),
  });
  const prefix = `bench:audit-sample:${process.pid}:${Date.now()}:`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const delivery = createSlackDelivery({
    connection: redis,
    prefix,
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    config: { timeScale, digests: { enabled: false } },
  });
  try {
    const worker = delivery.startWorker({ concurrency: 8 });
    await worker.waitUntilReady();
    for (let i = 0; i < alerts; i++)
      await delivery.enqueue(paymentAlert(i, loadChannel(i % channels)));
    const end = Date.now() + 120_000;
    while ((await delivery.stats()).posted < alerts) {
      if (Date.now() > end) throw new Error("audit sample: alerts not delivered in 120 s");
      await new Promise((r) => setTimeout(r, 100));
    }
    return await new AuditLog({ redis, prefix }).query({ limit: Number.MAX_SAFE_INTEGER });
  } finally {
    await delivery.close();
    await deleteByPrefix(redis, prefix);
    await redis.quit();
    await emu.close();
  }
}
