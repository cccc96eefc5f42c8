import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { startInforSim } from "../../sandbox/infor-sim/server.ts";
import type { Bucket } from "../../sandbox/slack-emu/limits.ts";
import { startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import { createInforClient } from "../../src/infor/create-client.ts";
import { unlimited } from "../../src/infor/http/rate-limiter.ts";
import { parseIonapi } from "../../src/infor/ionapi.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import { createExceptionTracker } from "../../src/pipeline/exception-tracker.ts";
import { lookupsFromSources } from "../../src/pipeline/lookups.ts";
import type { MatchPolicy } from "../../src/rules/match-policy.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { createAlertSink } from "../../src/sync/alert-sink.ts";
import { runPoll } from "../../src/sync/poll.ts";
import { seedWithChannels } from "../../test/delivery/emu.ts";
import type { Scenario } from "../types.ts";

/**
 * Pipeline overhead: with Slack's limits lifted in the emulator (and delivery's pacer opened as
 * far), alerts per second through the real pipeline (M3 sim → sync poll → three-way match →
 * alert sink → delivery queue → worker → chat.postMessage in the emulator), divided by raw
 * BullMQ no-op jobs per second measured in the same run on the same Redis with the same worker
 * concurrency, jobs added one by one as the sink adds alerts. Target ≥ 0.5.
 */

const CONCURRENCY = 8;
const OPEN: Bucket = { ratePerSecond: 1_000_000, burst: 1_000_000 };
/** Division AAA holds about 60 % of the sim's invoices (see sync-batch.ts). */
const DATA_PER_INVOICE = 5 / 3;
const matchPolicy: MatchPolicy = { defaults: { price: { percent: "2" } } };

async function rawBullmq(redisUrl: string, jobs: number): Promise<number> {
  const prefix = `bench:pipeline-raw:${process.pid}:${Date.now()}:`;
  const conn = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const workerConn = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue("noop", { connection: conn, prefix: `${prefix}bull` });
  let done = 0;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((r) => {
    finish = r;
  });
  const worker = new Worker(
    "noop",
    async () => {
      done++;
      if (done === jobs) finish();
    },
    { connection: workerConn, prefix: `${prefix}bull`, concurrency: CONCURRENCY },
  );
  try {
    await worker.waitUntilReady();
    const t0 = performance.now();
    for (let i = 0; i < jobs; i++) await queue.add("noop", { i }, { jobId: `j${i}` });
    await all;
    return jobs / ((performance.now() - t0) / 1000);
  } finally {
    await worker.close();
    await queue.close();
    await deleteByPrefix(conn, prefix);
    await conn.quit();
    await workerConn.quit();
  }
}

async function realPipeline(
  redisUrl: string,
  invoicesInDivision: number,
): Promise<{ alerts: number; posted: number; perSecond: number; seconds: number }> {
  const prefix = `bench:pipeline:${process.pid}:${Date.now()}:`;
  const channels = 3;
  const emu = await startSlackEmu({
    seed: seedWithChannels(channels),
    limits: {
      postMessagePerChannel: OPEN,
      postMessageWorkspace: OPEN,
      tiers: { 1: OPEN, 2: OPEN, 3: OPEN, 4: OPEN },
    },
  });
  const channel = (i: number) => `C0LOAD${String(i).padStart(4, "0")}`;
  const sim = await startInforSim({
    port: 0,
    seed: 11,
    data: {
      invoices: Math.round(invoicesInDivision * DATA_PER_INVOICE),
      purchaseOrders: Math.round(invoicesInDivision * DATA_PER_INVOICE),
      suppliersPerCompany: 40,
    },
  });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const client = createInforClient({ credentials: parseIonapi(sim.ionapi), limiter: unlimited });
  const delivery = createSlackDelivery({
    connection: redis,
    prefix,
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    // Our own pacer opened as far as the emulator's limits: the figure is the pipeline's cost.
    config: {
      digests: { enabled: false },
      timeScale: 100_000,
      channelBurst: 1_000,
      workspacePerSecond: 1_000_000,
      workspaceBurst: 100_000,
    },
  });
  let posted = 0;
  let alerts = 0;
  let finish: () => void = () => undefined;
  let polled = false;
  const all = new Promise<void>((r) => {
    finish = r;
  });
  const check = () => {
    if (polled && posted >= alerts) finish();
  };
  const unsubscribe = emu.inspect.subscribe((e) => {
    if (e.type !== "message") return;
    posted++;
    check();
  });
  try {
    delivery.startWorker({ concurrency: CONCURRENCY });
    const source = createM3Source(client.mi, {
      tenant: sim.tenant,
      company: "100",
      division: "AAA",
    });
    const tracker = createExceptionTracker({
      redis,
      prefix,
      lookups: lookupsFromSources(() => source),
      matchPolicy,
      routingPolicy: {
        defaultChannel: channel(0),
        opsChannel: channel(0),
        costCenters: { CC100: channel(1), CC200: channel(2) },
      },
    });
    const sink = createAlertSink({
      enqueue: async (a) => {
        alerts++;
        await delivery.enqueue(a);
      },
      audit: delivery.audit,
      opsChannel: channel(0),
      defaultChannel: channel(0),
      extraAlerts: (event) => tracker.onChange(event),
      batchScope: tracker.withBatch,
    });
    const t0 = performance.now();
    await runPoll(
      { redis, prefix, sourceFactory: () => source, sink },
      {
        schedule: {
          tenant: sim.tenant,
          company: "100",
          division: "AAA",
          entity: "supplier_invoice",
          everyMs: 60_000,
          pageSize: 1000,
        },
        mode: "backfill",
        since: "2020-01-01",
      },
    );
    polled = true;
    check();
    let timer: NodeJS.Timeout | undefined;
    // Bounded: a lost post fails the "not posted" row instead of hanging the run.
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, 300_000)))]);
    clearTimeout(timer);
    const seconds = (performance.now() - t0) / 1000;
    return { alerts, posted, perSecond: posted / seconds, seconds };
  } finally {
    unsubscribe();
    await delivery.close();
    await client.close();
    await sim.close();
    await emu.close();
    await deleteByPrefix(redis, prefix);
    await redis.quit();
  }
}

const scenario: Scenario = async ({ quick, redisUrl }) => {
  const invoices = quick ? 200 : 1_000;
  const real = await realPipeline(redisUrl, invoices);
  const raw = await rawBullmq(redisUrl, quick ? 1_000 : 5_000);
  return {
    scenario: "pipeline",
    metrics: [
      {
        name: "pipeline alerts/s ÷ raw BullMQ jobs/s",
        value: real.perSecond / raw,
        unit: "ratio",
        target: { op: ">=", value: 0.5 },
      },
      {
        name: "pipeline alerts/s (sync → rules → delivery → post)",
        value: real.perSecond,
        unit: "/s",
      },
      { name: "raw BullMQ no-op jobs/s", value: raw, unit: "/s" },
      {
        name: "alerts not posted",
        value: real.alerts - real.posted,
        unit: "count",
        target: { op: "==", value: 0 },
      },
    ],
    notes: [
      `${real.alerts} alerts from an import of M3 invoice batches (one division), ${real.posted} posted in ${real.seconds.toFixed(1)} s; worker concurrency ${CONCURRENCY} in both runs; emulator and pacer limits lifted`,
    ],
  };
};

export default scenario;
