import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { slackLimits } from "../../sandbox/slack-emu/limits.ts";
import { startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import type { Alert } from "../../src/alerts/alert.ts";
import { AuditLog } from "../../src/audit/log.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { loadChannel, paymentAlert, seedWithChannels } from "../../test/delivery/emu.ts";
import { startWorkerProcess, stopWorkerProcess } from "../../test/delivery/procs.ts";
import { until, watch } from "../delivery-load.ts";
import { measureAuditMemory, unusedShortPrefix, usedMemory } from "../scale/audit-memory.ts";
import { rssSampler, treeOf } from "../scale/rss.ts";
import type { Scenario } from "../types.ts";

/**
 * The scale run (`npm run bench -- --scale`): 1,000,000 records per simulated day arriving
 * evenly over 500 channels, delivered by 5 worker processes (concurrency 8 each) into the
 * emulator at Slack's limits (1 message/s per channel with its burst, the workspace cap the
 * emulator assumes), every rate and the arrivals time-scaled by TIME_SCALE so the run fits in
 * minutes. Each record is one alert through delivery's real enqueue (audit entry stored first,
 * then queued); the sync's own cost is the pipeline scenario's.
 *
 * - drain ÷ Slack lower bound: first arrival → last message in Slack, divided by the most the
 *   limits allow: the later of "the last arrival plus one message interval" (at 1M/day the
 *   average rate, 11.6/s, is below the workspace cap: Slack cannot be the bottleneck unless the
 *   app falls behind) and "every message at the workspace cap" or "the busiest channel at 1/s".
 * - Redis memory per 1M audit entries: 1,000,000 entries written through AuditLog.append, cloned
 *   from the run's own audit log (its mix of alert.stored, post.attempt, post.result), measured as
 *   the used_memory delta, nothing extrapolated, with key names as long as production's (before
 *   12-07 under the run's long bench prefix, which added about 30 B an entry).
 * - RSS per worker: peak resident set of each worker's node process, sampled every 500 ms.
 */
const RECORDS_PER_DAY = 1_000_000;
const CHANNELS = 500;
const WORKERS = 5;
const CONCURRENCY = 8;
/** Simulated seconds per real second. */
const TIME_SCALE = 8;
/** Real seconds of arrivals (the simulated span is TIME_SCALE times longer). */
const ARRIVAL_S = 120;
const AUDIT_ENTRIES = 1_000_000;
/** What the emulator assumes for Slack's unpublished workspace cap (sandbox/slack-emu/limits.ts). */
const WORKSPACE_PER_S = slackLimits().postMessageWorkspace.ratePerSecond;

const scenario: Scenario = async ({ quick, redisUrl }) => {
  const arrivalS = quick ? 30 : ARRIVAL_S;
  const perSecond = (RECORDS_PER_DAY / 86_400) * TIME_SCALE;
  const total = Math.round(perSecond * arrivalS);
  // Channels drawn evenly at random (seeded), as records of many cost centers would come.
  let seed = 20_261_207;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const perChannel = new Map<string, number>();
  const alerts: Alert[] = [];
  for (let i = 0; i < total; i++) {
    const channel = loadChannel(Math.floor(rand() * CHANNELS));
    perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
    alerts.push(paymentAlert(i, channel));
  }

  const emu = await startSlackEmu({
    timeScale: TIME_SCALE,
    seed: seedWithChannels(CHANNELS),
    limits: slackLimits(),
  });
  const prefix = `bench:scale:${process.pid}:${Date.now()}:`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  // The app told the workspace cap it runs under (Slack publishes none; the emulator's value).
  const config = {
    timeScale: TIME_SCALE,
    digests: { enabled: false },
    workspacePerSecond: WORKSPACE_PER_S,
  };
  const producer = createSlackDelivery({
    connection: redis,
    prefix,
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    config,
  });
  const workers: ChildProcess[] = [];
  const seen = watch(emu);
  // Exactly once, counted as Slack stored it: messages per alert id (our metadata).
  const copies = new Map<string, number>();
  const stopCopies = emu.inspect.subscribe((e) => {
    if (e.type !== "message") return;
    const id = e.message.metadata?.event_payload.alert_id;
    if (typeof id === "string") copies.set(id, (copies.get(id) ?? 0) + 1);
  });
  const memoryBefore = await usedMemory(redis);
  try {
    const env = {
      redisUrl,
      prefix,
      slackUrl: emu.url,
      token: emu.botToken,
      concurrency: CONCURRENCY,
      config,
    };
    for (let i = 0; i < WORKERS; i++) workers.push(await startWorkerProcess(env, 60_000));
    // The leaf of each npx → node tree is the worker itself.
    const workerPids = () =>
      workers.map((w) => treeOf(w.pid ?? 0).at(-1) ?? 0).filter((p) => p > 0);
    const rss = rssSampler(workerPids);

    const start = performance.now();
    let lastArrival = start;
    let lag = 0;
    for (let i = 0; i < total; ) {
      const due = start + (i / perSecond) * 1000;
      const now = performance.now();
      if (due > now) await new Promise((r) => setTimeout(r, due - now));
      // Everything due by now, as one batch (arrivals are not held back by a slow enqueue).
      const upTo = Math.min(
        total,
        Math.floor(((performance.now() - start) / 1000) * perSecond) + 1,
      );
      const batch = alerts.slice(i, Math.max(upTo, i + 1));
      lag = Math.max(lag, performance.now() - due);
      await Promise.all(batch.map((a) => producer.enqueue(a)));
      i += batch.length;
      lastArrival = performance.now();
    }
    const arrivalsS = (lastArrival - start) / 1000;
    const finished = await until(() => copies.size >= total, Math.max(120_000, arrivalS * 3_000));
    const drainS = (seen.last - start) / 1000;
    const peaks = rss.stop();
    const busiest = Math.max(...perChannel.values());
    const boundS = Math.max(
      arrivalS + 1 / TIME_SCALE,
      total / (WORKSPACE_PER_S * TIME_SCALE),
      busiest / TIME_SCALE,
    );
    const stats = await producer.stats();
    const memoryRun = (await usedMemory(redis)) - memoryBefore;

    // The run's own audit log, the sample the 1M entries are cloned from.
    const runLog = new AuditLog({ redis, prefix });
    const sample = await runLog.query({ limit: 30_000 });
    const entries = quick ? 100_000 : AUDIT_ENTRIES;
    // Under a prefix as long as production's `cs:` (index key names are part of the cost).
    const auditPrefix = await unusedShortPrefix(redis);
    const audit = await measureAuditMemory(redis, auditPrefix, sample, entries, { keyUsage: true });
    const perMillion = (audit.bytes / audit.entries) * 1_000_000;
    const rssMax = Math.max(...peaks.values());
    return {
      scenario: "scale",
      metrics: [
        {
          name: "scale: drain ÷ Slack lower bound",
          value: finished ? drainS / boundS : Number.POSITIVE_INFINITY,
          unit: "ratio",
          target: { op: "<=", value: 1.05 },
        },
        {
          name: `Redis memory per 1M audit entries (${entries.toLocaleString("en")} written)`,
          value: perMillion / 2 ** 20,
          unit: "MiB",
          target: { op: "<=", value: 500 },
        },
        {
          name: "RSS per worker process, peak of the 5",
          value: rssMax / 2 ** 20,
          unit: "MiB",
          target: { op: "<", value: 300 },
        },
        {
          name: "scale: messages not posted",
          value: total - copies.size,
          unit: "count",
          target: { op: "==", value: 0 },
        },
        {
          name: "scale: messages posted twice or more (extra copies by alert_id)",
          value: [...copies.values()].reduce((n, c) => n + c - 1, 0),
          unit: "count",
          target: { op: "==", value: 0 },
        },
        {
          name: "scale: 429s from the emulator",
          value: emu.inspect.rateLimited().total,
          unit: "count",
        },
      ],
      notes: [
        `${total.toLocaleString("en")} records (${RECORDS_PER_DAY.toLocaleString("en")}/simulated day at time scale ${TIME_SCALE}: ${perSecond.toFixed(1)}/s real, ${((arrivalS * TIME_SCALE) / 60).toFixed(0)} simulated minutes) over ${CHANNELS} channels (busiest ${busiest}), ${WORKERS} worker processes × concurrency ${CONCURRENCY}; emulator limits: 1/s per channel (burst 3), workspace ${WORKSPACE_PER_S}/s, all × ${TIME_SCALE}`,
        `arrivals took ${arrivalsS.toFixed(1)} s (enqueue lag at most ${(lag / 1000).toFixed(2)} s), last message at ${drainS.toFixed(1)} s, bound ${boundS.toFixed(1)} s; posted ${stats.posted}, ${finished ? "all" : "NOT all"} in Slack; lost posts found by the look-up ${stats.ambiguousFound}`,
        `RSS peaks per worker (MiB): ${[...peaks.values()].map((b) => (b / 2 ** 20).toFixed(0)).join(", ")}`,
        `audit: ${audit.entries.toLocaleString("en")} entries cloned from the run's ${sample.length} (${Object.entries(
          audit.mix,
        )
          .map(([t, n]) => `${t} ${n}`)
          .join(
            ", ",
          )}), written in ${audit.seconds.toFixed(0)} s: ${(audit.bytes / 2 ** 20).toFixed(0)} MiB used_memory delta (${(audit.bytes / audit.entries).toFixed(0)} B per entry; MEMORY USAGE per entry: ${Object.entries(
          audit.keys ?? {},
        )
          .map(([k, u]) => `${k} ${(u.bytes / audit.entries).toFixed(0)} B in ${u.count} keys`)
          .join(
            ", ",
          )}); the run itself grew used_memory by ${(memoryRun / 2 ** 20).toFixed(0)} MiB`,
      ],
    };
  } finally {
    seen.stop();
    stopCopies();
    for (const w of workers) await stopWorkerProcess(w);
    await producer.close();
    await deleteByPrefix(redis, prefix);
    await redis.quit();
    await emu.close();
  }
};

export default scenario;
