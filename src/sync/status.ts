import { countOnce, updateOnce } from "../shared/count-once.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import { currentFailures } from "./failures.ts";
import { type PollKey, parsePollKeyId, pollKeyId, type SyncKeys, schedulerId } from "./keys.ts";

/** What one poll saw, by outcome. */
export interface PollCounts {
  read: number;
  new: number;
  updated: number;
  unchanged: number;
  quarantined: number;
  unrouted: number;
  /** Alerts that shadow mode recorded instead of posting. */
  shadow: number;
  /** Records seen while priming a first run (hashes learned, nothing emitted). */
  primed: number;
}

export function emptyCounts(): PollCounts {
  return {
    read: 0,
    new: 0,
    updated: 0,
    unchanged: 0,
    quarantined: 0,
    unrouted: 0,
    shadow: 0,
    primed: 0,
  };
}

const COUNTER_FIELDS = Object.keys(emptyCounts()) as (keyof PollCounts)[];

export async function registerKey(redis: RedisClient, keys: SyncKeys, key: PollKey): Promise<void> {
  await redis.sadd(keys.registry, pollKeyId(key));
}

export async function recordPollSuccess(
  redis: RedisClient,
  keys: SyncKeys,
  key: PollKey,
  counts: PollCounts,
  at: { startedAt: Date; finishedAt: Date },
): Promise<void> {
  const add: Record<string, number> = { "total.polls": 1 };
  for (const f of COUNTER_FIELDS) if (counts[f] > 0) add[`total.${f}`] = counts[f];
  // One step, applied once even when the client re-sends it after a reconnect.
  await updateOnce(redis, keys.status(key), add, {
    lastPollAt: at.startedAt.toISOString(),
    lastSuccessAt: at.finishedAt.toISOString(),
    lastDurationMs: String(at.finishedAt.getTime() - at.startedAt.getTime()),
    lastCounts: JSON.stringify(counts),
  });
}

export async function recordPollFailure(
  redis: RedisClient,
  keys: SyncKeys,
  key: PollKey,
  code: string,
  at: { startedAt: Date; failedAt: Date },
  /** The source's own words (errorDetail), shown by `/infor status` and /readyz. */
  message = "",
): Promise<void> {
  await updateOnce(
    redis,
    keys.status(key),
    { "total.failedPolls": 1 },
    {
      lastPollAt: at.startedAt.toISOString(),
      lastErrorAt: at.failedAt.toISOString(),
      lastError: code,
      lastErrorMessage: message,
    },
  );
}

export async function recordSkipped(
  redis: RedisClient,
  keys: SyncKeys,
  key: PollKey,
): Promise<void> {
  await countOnce(redis, keys.status(key), "total.skippedBusy");
}

export interface KeyStatus {
  key: PollKey;
  id: string;
  watermark?: string;
  lastPollAt?: string;
  lastSuccessAt?: string;
  lastDurationMs?: number;
  lastError?: string;
  /** The last failure in the source's own words, e.g. M3's message and field. */
  lastErrorMessage?: string;
  lastErrorAt?: string;
  /** Next scheduled poll (ISO), when a queue was given. */
  nextPollAt?: string;
  /** Milliseconds since the last successful poll: how stale the channels may be. */
  lagMs?: number;
  consecutiveFailures: number;
  last?: PollCounts;
  totals: PollCounts & { polls: number; failedPolls: number; skippedBusy: number };
}

/** Anything that can tell when a scheduler fires next (a BullMQ Queue does). */
export interface SchedulerLookup {
  getJobScheduler(id: string): Promise<{ next?: number } | undefined>;
}

function num(v: string | undefined): number {
  return v === undefined ? 0 : Number(v);
}

/** Status of every known key (or the given ones), for `/infor status` and the ops endpoints. */
export async function readSyncStatus(
  redis: RedisClient,
  keys: SyncKeys,
  options: { now: Date; queue?: SchedulerLookup; only?: readonly PollKey[] },
): Promise<KeyStatus[]> {
  const ids = options.only
    ? options.only.map(pollKeyId)
    : (await redis.smembers(keys.registry)).sort();
  const out: KeyStatus[] = [];
  for (const id of ids) {
    const key = parsePollKeyId(id);
    if (!key) continue;
    const [h, watermark, failures] = await Promise.all([
      redis.hgetall(keys.status(key)),
      redis.get(keys.watermark(key)),
      currentFailures(redis, keys.failures(key)),
    ]);
    const totals = {
      ...emptyCounts(),
      polls: num(h["total.polls"]),
      failedPolls: num(h["total.failedPolls"]),
      skippedBusy: num(h["total.skippedBusy"]),
    };
    for (const f of COUNTER_FIELDS) totals[f] = num(h[`total.${f}`]);
    const s: KeyStatus = { key, id, consecutiveFailures: failures, totals };
    if (watermark) s.watermark = watermark;
    if (h.lastPollAt) s.lastPollAt = h.lastPollAt;
    if (h.lastSuccessAt) {
      s.lastSuccessAt = h.lastSuccessAt;
      s.lagMs = Math.max(0, options.now.getTime() - Date.parse(h.lastSuccessAt));
    }
    if (h.lastDurationMs) s.lastDurationMs = Number(h.lastDurationMs);
    if (h.lastError) s.lastError = h.lastError;
    if (h.lastErrorMessage) s.lastErrorMessage = h.lastErrorMessage;
    if (h.lastErrorAt) s.lastErrorAt = h.lastErrorAt;
    if (h.lastCounts) s.last = JSON.parse(h.lastCounts) as PollCounts;
    if (options.queue) {
      const sched = await options.queue.getJobScheduler(schedulerId(key));
      if (sched?.next) s.nextPollAt = new Date(sched.next).toISOString();
    }
    out.push(s);
  }
  return out;
}
