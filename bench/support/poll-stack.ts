import { Redis } from "ioredis";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import type { Alert } from "../../src/alerts/alert.ts";
import { createInforClient } from "../../src/infor/create-client.ts";
import { parseIonapi } from "../../src/infor/ionapi.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { createAlertSink } from "../../src/sync/alert-sink.ts";
import { createSyncQueue } from "../../src/sync/worker.ts";
import { loadChannel, startEmu } from "../../test/delivery/emu.ts";

/**
 * The path a change takes in production, on loopback: the ION simulator (seed 5), the M3 client,
 * the alert sink, delivery with its pacer and the Slack emulator (one channel), and a sync queue.
 * `onQueued` sees each alert after delivery queued it. The scenario adds its own worker, servers
 * and schedules, stops them, then calls `close()`.
 */
export async function startPollStack(
  redisUrl: string,
  prefix: string,
  onQueued?: (a: Alert) => void,
) {
  const sim = await startInforSim({ port: 0, seed: 5 });
  const emu = await startEmu(1, 1);
  const channel = loadChannel(0);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queueConn = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const workerConn = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const client = createInforClient({
    credentials: parseIonapi(sim.ionapi),
    requestsPerMinute: 3_000,
    company: "100",
    division: "AAA",
  });
  const delivery = createSlackDelivery({
    connection: redis,
    prefix,
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    config: { digests: { enabled: false } },
  });
  delivery.startWorker({ concurrency: 4 });
  const deps = {
    redis,
    prefix,
    sink: createAlertSink({
      enqueue: async (a) => {
        await delivery.enqueue(a);
        onQueued?.(a);
      },
      audit: delivery.audit,
      opsChannel: channel,
      defaultChannel: channel,
    }),
    clock: () => sim.control.now(),
    sourceFactory: (s: { tenant: string; company: string; division: string }) =>
      createM3Source(client.mi, { tenant: s.tenant, company: s.company, division: s.division }),
  };
  const queue = createSyncQueue(queueConn, { bullPrefix: `${prefix}bull` });
  return {
    sim,
    emu,
    deps,
    queue,
    workerConn,
    bullPrefix: `${prefix}bull`,
    async close() {
      await queue.close();
      await delivery.close();
      await client.close();
      await sim.close();
      await emu.close();
      await deleteByPrefix(redis, prefix);
      for (const c of [redis, queueConn, workerConn]) await c.quit();
    },
  };
}

/** A supplier the scenario's records can name (upserted so it exists in every data set). */
export function benchSupplier(sim: InforSim, suno: string, sunm: string): string {
  sim.control.upsert("supplier", { SUNO: suno, SUNM: sunm });
  return suno;
}

/** The p-th percentile of sorted values (nearest rank); NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}
