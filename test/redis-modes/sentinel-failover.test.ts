import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { loadChannel, paymentAlert, startEmu, waitFor } from "../delivery/emu.ts";
import { connectTestRedis, testPrefix, testRedisTarget } from "../support/redis.ts";

/**
 * Runs only against a Sentinel set (scripts/test-redis-modes.sh; vitest.config.ts leaves this
 * folder out otherwise). The master is failed over with SENTINEL FAILOVER while a delivery worker
 * posts: ioredis asks the sentinels for the new master and reconnects, and every alert still
 * reaches its channel exactly once.
 */
const target = testRedisTarget();
if (target.mode !== "sentinel") throw new Error("sentinel-failover needs REDIS_SENTINELS");
const sentinelAt = target.sentinels[0] ?? { host: "127.0.0.1", port: 26379 };
const masterName = target.name;

let emu: SlackEmu;
let redis: RedisClient;
let sentinel: Redis;
const prefix = testPrefix(`test:sentinel-failover:${randomBytes(4).toString("hex")}`);

async function masterPort(): Promise<number> {
  const [, port] = (await sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)) as [
    string,
    string,
  ];
  return Number(port);
}

/**
 * The set is steady: the master the sentinels name has its replica attached and in sync. A
 * demoted master turns replica only when a sentinel next looks at it, and resyncs from the new one.
 */
async function steady(): Promise<boolean> {
  const node = new Redis({ host: "127.0.0.1", port: await masterPort(), lazyConnect: true });
  try {
    await node.connect();
    const info = await node.info("replication");
    return /role:master/.test(info) && /connected_slaves:1/.test(info) && /state=online/.test(info);
  } catch {
    return false;
  } finally {
    node.disconnect();
  }
}

beforeAll(async () => {
  emu = await startEmu(20, 6);
  redis = connectTestRedis();
  sentinel = new Redis(sentinelAt);
});
afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await redis.quit();
  sentinel.disconnect();
  await emu.close();
});

describe("Redis Sentinel failover under delivery", () => {
  it("the master is failed over mid-run: the worker follows it, every alert posted once", async () => {
    const delivery = createSlackDelivery({
      connection: redis,
      prefix,
      slack: { token: emu.botToken, slackApiUrl: emu.url },
      // jobs active on the old master come back as stalled: notice that within a second
      config: {
        timeScale: 20,
        // Redis errors during the failover (READONLY, reconnects, WAIT) spend delivery attempts:
        // 6 attempts 50 ms apart and doubling last 1.55 s, shorter than a failover on a loaded
        // machine, and an alert whose attempts run out goes to the dead letter instead of Slack.
        // Production's 2 s start lasts 62 s; 400 ms lasts 12.4 s here.
        retryDelayMs: 400,
        digests: { enabled: false },
        lockDurationMs: 1000,
        stalledIntervalMs: 300,
        // a post stalled on the old master is looked for once its call has timed out (2 s) and
        // the grace has passed
        requestTimeoutMs: 2000,
        ambiguousGraceMs: 500,
      },
      // what REDIS_REPLICA_ACKS defaults to with REDIS_SENTINELS (config/redis-env.ts)
      replicaAcks: { replicas: 1, timeoutMs: 500 },
    });
    const alerts = Array.from({ length: 60 }, (_, i) => paymentAlert(7000 + i, loadChannel(i % 6)));
    for (const a of alerts) await delivery.enqueue(a);
    const worker = delivery.startWorker({ concurrency: 4 });
    const channels = Array.from({ length: 6 }, (_, c) => loadChannel(c));
    const messages = () => channels.flatMap((ch) => emu.inspect.messages(ch));
    const posted = () => messages().length;
    await waitFor("a third posted", () => posted() >= 20, 30_000);

    await waitFor("a steady set before", steady, 30_000);
    const before = await masterPort();
    await sentinel.call("SENTINEL", "FAILOVER", masterName);
    await waitFor("a new master", async () => (await masterPort()) !== before, 30_000);
    // Writes resume on the new master: what the old one refused while it stepped down is retried.
    await waitFor("queue drained", async () => (await delivery.stats()).oldestAgeMs === 0, 60_000);
    await waitFor("all posted", () => posted() >= alerts.length, 30_000).catch(async (err) => {
      throw new Error(
        `${String(err)}: ${posted()}/${alerts.length}; ${JSON.stringify(await delivery.stats())}`,
      );
    });
    // the old master rejoined as a replica of the new one, so nothing it held is left apart
    await waitFor("a steady set after", steady, 30_000);

    const ids = messages().flatMap((m) => m.metadata?.event_payload.alert_id ?? []);
    expect(ids.length).toBe(alerts.length);
    expect(new Set(ids).size).toBe(alerts.length);
    expect(new Set(ids)).toEqual(new Set(alerts.map((a) => a.id)));
    expect(await masterPort()).not.toBe(before);
    await worker.close();
    await delivery.close();
  }, 120_000);
});
