import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import type { DeliveryStats } from "../../src/delivery/delivery.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { skewedWorkload, startEmu } from "../../test/delivery/emu.ts";
import {
  killGroup,
  startProcess,
  startWorkerProcess,
  stopWorkerProcess,
} from "../../test/delivery/procs.ts";
import type { Scenario } from "../types.ts";

/**
 * Delivery pacing: 3 worker processes, 20 channels, a skewed load (one channel gets a fifth of
 * all alerts). Drain time is compared with its lower bound, the hottest channel's count divided
 * by the emulator's per-channel rate; digests are off so the ratio measures pacing alone. The
 * naive baseline (a default WebClient at the same concurrency) runs in the same scenario, to
 * completion: its drain time is measured, never projected. A generous bound (NAIVE_BOUND × the
 * lower bound) keeps the bench finite; reaching it, or the client giving up on some messages,
 * is a failure of the baseline, reported as such (drain time infinite).
 */
const NAIVE_BOUND = 10;
const CHANNELS = 20;
const WORKERS = 3;
const CONCURRENCY = 8;
const TIME_SCALE = 10;
const NAIVE = fileURLToPath(new URL("../../test/delivery/fixtures/naive.ts", import.meta.url));

interface Watch {
  readonly count: number;
  readonly last: number;
  stop(): void;
}

/** Counts top-level messages as the emulator stores them, with the time of the latest. */
function watch(emu: SlackEmu): Watch {
  let count = 0;
  let last = 0;
  const stop = emu.inspect.subscribe((e) => {
    if (e.type === "message") {
      count++;
      last = performance.now();
    }
  });
  return {
    get count() {
      return count;
    },
    get last() {
      return last;
    },
    stop,
  };
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

interface PacedRun {
  drainS: number;
  finished: boolean;
  count: number;
  rateLimited: number;
  enqueueS: number;
  stats: DeliveryStats;
}

async function runPaced(
  redisUrl: string,
  total: number,
  hot: number,
  capMs: number,
): Promise<PacedRun> {
  const alerts = skewedWorkload(total, hot, CHANNELS);
  const emu = await startEmu(TIME_SCALE, CHANNELS);
  const prefix = `bench:delivery:${Date.now()}:`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const config = { timeScale: TIME_SCALE, digests: { enabled: false } };
  const producer = createSlackDelivery({
    connection: redis,
    prefix,
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    config,
  });
  const workers: ChildProcess[] = [];
  const seen = watch(emu);
  try {
    const env = {
      redisUrl,
      prefix,
      slackUrl: emu.url,
      token: emu.botToken,
      concurrency: CONCURRENCY,
      config,
    };
    for (let i = 0; i < WORKERS; i++) workers.push(await startWorkerProcess(env));
    const start = performance.now();
    for (let i = 0; i < alerts.length; i += 20) {
      await Promise.all(alerts.slice(i, i + 20).map((a) => producer.enqueue(a)));
    }
    const enqueueS = (performance.now() - start) / 1000;
    const finished = await until(() => seen.count >= total, capMs);
    const drainS = (seen.last - start) / 1000;
    // counters are written just after each post: give the last ones a moment
    let stats = await producer.stats();
    for (let i = 0; i < 50 && stats.posted < seen.count; i++) {
      await new Promise((r) => setTimeout(r, 20));
      stats = await producer.stats();
    }
    return {
      drainS,
      finished,
      count: seen.count,
      rateLimited: emu.inspect.rateLimited().total,
      enqueueS,
      stats,
    };
  } finally {
    seen.stop();
    for (const w of workers) await stopWorkerProcess(w);
    await producer.close();
    await deleteByPrefix(redis, prefix);
    await redis.quit();
    await emu.close();
  }
}

interface NaiveRun {
  /** Measured: first post to last message, only when every message arrived. */
  drainS: number;
  finished: boolean;
  /** Why it did not finish: the bound was reached, or the client stopped with messages missing. */
  failure?: "bound" | "gave_up";
  count: number;
  rateLimited: number;
  elapsedS: number;
}

async function runNaive(total: number, hot: number, capMs: number): Promise<NaiveRun> {
  const emu = await startEmu(TIME_SCALE, CHANNELS);
  const seen = watch(emu);
  let child: ChildProcess | undefined;
  try {
    child = await startProcess(NAIVE, {
      SLACK_URL: emu.url,
      SLACK_TOKEN: emu.botToken,
      NAIVE_TOTAL: String(total),
      NAIVE_HOT: String(hot),
      NAIVE_CHANNELS: String(CHANNELS),
      NAIVE_CONCURRENCY: String(WORKERS * CONCURRENCY),
    });
    const start = performance.now();
    const proc = child;
    let exited = false;
    proc.once("exit", () => {
      exited = true;
    });
    // Every message in Slack, or the client done (its retries spent), or the bound.
    await until(() => seen.count >= total || exited, capMs);
    const elapsedS = (performance.now() - start) / 1000;
    const finished = seen.count >= total;
    return {
      drainS: finished ? (seen.last - start) / 1000 : Number.POSITIVE_INFINITY,
      finished,
      ...(finished ? {} : { failure: exited ? ("gave_up" as const) : ("bound" as const) }),
      count: seen.count,
      rateLimited: emu.inspect.rateLimited().total,
      elapsedS,
    };
  } finally {
    seen.stop();
    // The SDK would keep retrying for up to 30 minutes: end the process instead.
    if (child) killGroup(child, "SIGKILL");
    await emu.close();
  }
}

const scenario: Scenario = async ({ quick, redisUrl }) => {
  const total = quick ? 500 : 2000;
  const hot = total / 5;
  const perChannelPerSec = 1 * TIME_SCALE; // emulator default: 1 msg/s per channel, scaled
  const lowerBoundS = hot / perChannelPerSec;
  const notes: string[] = [];

  const paced = await runPaced(redisUrl, total, hot, lowerBoundS * 3000);
  const naiveBoundS = lowerBoundS * NAIVE_BOUND;
  const naive = await runNaive(total, hot, naiveBoundS * 1000);

  if (!paced.finished) notes.push(`paced run did not finish: ${paced.count}/${total} messages`);
  notes.push(
    `paced: enqueue of ${total} alerts took ${paced.enqueueS.toFixed(1)} s; posted ${paced.stats.posted}, dead letters ${paced.stats.deadLetters}`,
  );
  notes.push(
    naive.finished
      ? `naive: run to completion, ${total}/${total} messages in ${naive.drainS.toFixed(1)} s (bound ${naiveBoundS.toFixed(0)} s, never reached)`
      : naive.failure === "bound"
        ? `naive: FAILED, ${naive.count}/${total} messages when the ${naiveBoundS.toFixed(0)} s bound (${NAIVE_BOUND} × the lower bound) ran out; no drain time is projected`
        : `naive: FAILED, the client stopped after ${naive.elapsedS.toFixed(0)} s with ${naive.count}/${total} messages posted (the rest given up)`,
  );
  notes.push(
    `lower bound: ${hot} messages in the hottest channel / ${perChannelPerSec} per s = ${lowerBoundS.toFixed(1)} s (emulator timeScale ${TIME_SCALE})`,
  );

  return {
    scenario: "delivery",
    metrics: [
      {
        name: "paced drain / lower bound",
        value: paced.finished ? paced.drainS / lowerBoundS : Number.POSITIVE_INFINITY,
        unit: "ratio",
        target: { op: "<=", value: 1.05 },
      },
      {
        name: "paced 429s",
        value: paced.rateLimited,
        unit: "count",
        target: { op: "==", value: 0 },
      },
      { name: "paced drain", value: paced.drainS, unit: "s" },
      // Infinite when the baseline failed (see the notes): measured or nothing.
      { name: "naive drain / lower bound", value: naive.drainS / lowerBoundS, unit: "ratio" },
      { name: "naive messages posted", value: naive.count, unit: "count" },
      { name: "naive 429s", value: naive.rateLimited, unit: "count" },
    ],
    notes,
  };
};

export default scenario;
