/**
 * Shared by bench scenarios that drive delivery against the emulator: a load run through our
 * worker processes, and a naive WebClient baseline in its own process, both counted from the
 * emulator's own events (what Slack would have stored), not from our side.
 */
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import type { SlackEmu } from "../sandbox/slack-emu/server.ts";
import { deleteByPrefix } from "../sandbox/support/redis-keys.ts";
import type { Alert } from "../src/alerts/alert.ts";
import type { DeliveryStats } from "../src/delivery/delivery.ts";
import { createSlackDelivery } from "../src/slack/destination/delivery.ts";
import {
  killGroup,
  startProcess,
  startWorkerProcess,
  stopWorkerProcess,
} from "../test/delivery/procs.ts";

export interface Watch {
  readonly posts: number;
  readonly edits: number;
  readonly last: number;
  stop(): void;
}

/** Messages (top level and thread replies) and edits as the emulator stores them. */
export function watch(emu: SlackEmu): Watch {
  let posts = 0;
  let edits = 0;
  let last = 0;
  const stop = emu.inspect.subscribe((e) => {
    if (e.type === "message") posts++;
    else if (e.type === "message_changed") edits++;
    else return;
    last = performance.now();
  });
  return {
    get posts() {
      return posts;
    },
    get edits() {
      return edits;
    },
    get last() {
      return last;
    },
    stop,
  };
}

export async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

export interface LoadRun {
  drainS: number;
  finished: boolean;
  posts: number;
  edits: number;
  enqueueS: number;
  stats: DeliveryStats;
}

/**
 * `batches` are enqueued one after another (a batch waits until the emulator has seen `after`
 * of its predecessor's messages, e.g. updates of records whose first version was posted).
 */
export async function runPacedLoad(o: {
  redisUrl: string;
  emu: SlackEmu;
  name: string;
  workers: number;
  concurrency: number;
  config: Record<string, unknown>;
  batches: { alerts: Alert[]; afterPosts?: number }[];
  done: (w: Watch) => boolean;
  capMs: number;
}): Promise<LoadRun> {
  const prefix = `bench:${o.name}:${Date.now()}:`;
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const producer = createSlackDelivery({
    connection: redis,
    prefix,
    slack: { token: o.emu.botToken, slackApiUrl: o.emu.url },
    config: o.config,
  });
  const workers: ChildProcess[] = [];
  const seen = watch(o.emu);
  try {
    const env = {
      redisUrl: o.redisUrl,
      prefix,
      slackUrl: o.emu.url,
      token: o.emu.botToken,
      concurrency: o.concurrency,
      config: o.config,
    };
    for (let i = 0; i < o.workers; i++) workers.push(await startWorkerProcess(env));
    const start = performance.now();
    let enqueueS = 0;
    for (const batch of o.batches) {
      if (batch.afterPosts) await until(() => seen.posts >= (batch.afterPosts ?? 0), o.capMs);
      const t = performance.now();
      for (let i = 0; i < batch.alerts.length; i += 20) {
        await Promise.all(batch.alerts.slice(i, i + 20).map((a) => producer.enqueue(a)));
      }
      enqueueS += (performance.now() - t) / 1000;
    }
    const finished = await until(() => o.done(seen), o.capMs);
    const drainS = (seen.last - start) / 1000;
    let stats = await producer.stats();
    for (let i = 0; i < 50 && stats.posted < seen.posts - stats.updated; i++) {
      await new Promise((r) => setTimeout(r, 20));
      stats = await producer.stats();
    }
    return { drainS, finished, posts: seen.posts, edits: seen.edits, enqueueS, stats };
  } finally {
    seen.stop();
    for (const w of workers) await stopWorkerProcess(w);
    await producer.close();
    await deleteByPrefix(redis, prefix);
    await redis.quit();
  }
}

export interface NaiveRun {
  drainS: number;
  finished: boolean;
  posts: number;
  edits: number;
  elapsedS: number;
  /** Why it did not finish: the cap ran out, or the client exited with messages not posted. */
  failure?: "bound" | "gave_up";
}

/** A naive baseline process (test/delivery/fixtures/naive*.ts), run until `done` or the cap. */
export async function runNaiveLoad(o: {
  emu: SlackEmu;
  file: string;
  env: Record<string, string>;
  done: (w: Watch) => boolean;
  capMs: number;
}): Promise<NaiveRun> {
  const seen = watch(o.emu);
  let child: ChildProcess | undefined;
  try {
    child = await startProcess(o.file, {
      SLACK_URL: o.emu.url,
      SLACK_TOKEN: o.emu.botToken,
      ...o.env,
    });
    let exited = false;
    child.once("exit", () => {
      exited = true;
    });
    const start = performance.now();
    await until(() => o.done(seen) || exited, o.capMs);
    const finished = o.done(seen);
    const elapsedS = (performance.now() - start) / 1000;
    return {
      drainS: (seen.last - start) / 1000,
      finished,
      posts: seen.posts,
      edits: seen.edits,
      elapsedS,
      ...(finished ? {} : { failure: exited ? ("gave_up" as const) : ("bound" as const) }),
    };
  } finally {
    seen.stop();
    // The SDK would keep retrying for up to 30 minutes: end the process instead.
    if (child) killGroup(child, "SIGKILL");
  }
}
