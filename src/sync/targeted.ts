import type { RecordTarget } from "../infor/source.ts";
import { isShadow, resolveDeps, type SyncDeps } from "./deps.ts";
import { SyncError } from "./errors.ts";
import type { PollKey } from "./keys.ts";
import { acquirePollLock, type PollLease } from "./lock.ts";
import { type PageContext, processPage } from "./page.ts";
import { markReported, unreported } from "./quarantine.ts";
import {
  alertsEnabled,
  type SyncScheduleInput,
  scheduleKey,
  syncScheduleSchema,
} from "./schedule.ts";
import { normalizePage } from "./source.ts";
import { emptyCounts, type PollCounts } from "./status.ts";

export interface TargetedReadRequest {
  schedule: SyncScheduleInput;
  target: RecordTarget;
  /** How long to wait for a running poll of the key before giving up (default 2 s). */
  lockWaitMs?: number;
}

export type TargetedReadResult =
  | { status: "done"; key: PollKey; counts: PollCounts }
  /** The key was never polled: its first poll primes (posts nothing), so a push must not post. */
  | { status: "not_primed"; key: PollKey }
  | { status: "unsupported"; key: PollKey };

/**
 * A push: read the ONE record an ERP event names and run it through the poll's own page step
 * (validate, content hash against the stored version, route, sink, save version). The alert id
 * is hash(record key, revision, content hash), so the push and the next poll of the same
 * content compute the same id and the same stored version: one alert, whichever comes first.
 *
 * It holds the key's poll lock while it reads and commits, so a poll and a push never load the
 * same stored version and save different ones (which would post a spurious "updated"). A read
 * is a few requests; a poll that finds the lock taken skips one firing and runs at the next.
 * The watermark is not moved: the poll still reads the whole window (events are fire-and-forget
 * and may be lost; polling is the safety net).
 */
export async function runTargetedRead(
  depsIn: SyncDeps,
  request: TargetedReadRequest,
): Promise<TargetedReadResult> {
  const deps = resolveDeps(depsIn);
  const schedule = syncScheduleSchema.parse(request.schedule);
  const key = scheduleKey(schedule);
  if (request.target.entity !== key.entity) {
    throw new SyncError(
      "sync_bad_config",
      `a ${request.target.entity} target cannot be read by the ${key.entity} key`,
    );
  }
  const { redis, keys } = deps;
  const source = await deps.sourceFactory({
    tenant: key.tenant,
    company: key.company,
    division: key.division,
  });
  if (!source.readTarget) return { status: "unsupported", key };

  const lease = await waitForLock(deps, keys.lock(key), request.lockWaitMs ?? 2000);
  if (!lease) {
    throw new SyncError("sync_busy", "a poll of this key is running; the push read retries");
  }
  try {
    if ((await redis.exists(keys.watermark(key))) === 0) return { status: "not_primed", key };
    let page: ReturnType<typeof normalizePage>;
    try {
      page = normalizePage(await source.readTarget(request.target));
    } catch (err) {
      if (err instanceof SyncError) throw err;
      throw new SyncError("sync_source_failed", `reading one ${key.entity} failed`, err);
    }
    if (lease.signal.aborted) throw new SyncError("sync_lock_lost", "the poll lock expired");
    const ctx: PageContext = {
      key,
      emit: true,
      alerts: alertsEnabled(schedule),
      shadow: isShadow(deps, key, schedule.shadow),
      mode: "poll",
      counts: emptyCounts(),
      quarantine: [],
    };
    await processPage(deps, ctx, page);
    const fresh = await unreported(redis, keys.quarantined(key), ctx.quarantine);
    if (fresh.length > 0) {
      await deps.sink.quarantine({ key, items: fresh });
      await markReported(redis, keys.quarantined(key), fresh, deps.clock().getTime());
    }
    deps.logger.debug({ sync: key, target: request.target, counts: ctx.counts }, "push read done");
    return { status: "done", key, counts: ctx.counts };
  } finally {
    await lease.release().catch(() => undefined);
  }
}

async function waitForLock(
  deps: ReturnType<typeof resolveDeps>,
  lockKey: string,
  waitMs: number,
): Promise<PollLease | undefined> {
  const until = Date.now() + waitMs;
  for (;;) {
    const lease = await acquirePollLock(deps.redis, lockKey, { ttlMs: deps.lockTtlMs });
    if (lease || Date.now() >= until) return lease;
    await new Promise((r) => setTimeout(r, 25));
  }
}
