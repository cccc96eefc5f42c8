import { readAhead } from "../infor/read-ahead.ts";
import { isIsoDate, maxDate, utcDate } from "./dates.ts";
import { isShadow, resolveDeps, type SyncDeps } from "./deps.ts";
import { errorDetail, SyncError, syncFailureCode } from "./errors.ts";
import { clearFailures, recordFailure } from "./failures.ts";
import type { PollKey } from "./keys.ts";
import { acquirePollLock } from "./lock.ts";
import { likelyChanged, type PageContext, processPage } from "./page.ts";
import { markReported, unreported } from "./quarantine.ts";
import {
  alertsEnabled,
  type SyncSchedule,
  type SyncScheduleInput,
  scheduleKey,
  syncScheduleSchema,
} from "./schedule.ts";
import { watermarkAdvanceScript } from "./scripts.ts";
import { normalizePage, type SourcePage } from "./source.ts";
import {
  emptyCounts,
  type PollCounts,
  recordPollFailure,
  recordPollSuccess,
  recordSkipped,
  registerKey,
} from "./status.ts";
import { nextWatermark, planWindow } from "./window.ts";

export interface PollRequest {
  schedule: SyncSchedule | SyncScheduleInput;
  /** `backfill` imports history from `since` deliberately; `poll` (default) follows the watermark. */
  mode?: "poll" | "backfill";
  since?: string;
  /** Stops the poll between pages (graceful shutdown); the watermark then stays put. */
  signal?: AbortSignal;
}

export type PollResult =
  | { status: "skipped_busy"; key: PollKey }
  | {
      status: "done" | "primed";
      key: PollKey;
      since: string | undefined;
      watermark: string;
      pages: number;
      counts: PollCounts;
      shadow: boolean;
    };

/**
 * One poll of one key: lock → read pages since (watermark − overlap) → per page: validate,
 * detect, store alerts through the sink, save versions → report quarantine → move watermark →
 * clear failures. A crash anywhere before the watermark moves re-reads the same window next
 * time; saved versions and stable alert ids make that re-read emit nothing twice.
 */
export async function runPoll(depsIn: SyncDeps, request: PollRequest): Promise<PollResult> {
  const deps = resolveDeps(depsIn);
  const schedule = syncScheduleSchema.parse(request.schedule);
  const mode = request.mode ?? "poll";
  const key = scheduleKey(schedule);
  const { redis, keys, logger } = deps;
  const log = logger.child({ sync: key, mode });
  if (mode === "backfill" && (!request.since || !isIsoDate(request.since))) {
    throw new SyncError("sync_bad_config", "backfill needs since as an ISO date YYYY-MM-DD");
  }
  await registerKey(redis, keys, key);

  const lockKey = keys.lock(key);
  const lease = await acquirePollLock(redis, lockKey, { ttlMs: deps.lockTtlMs });
  if (!lease) {
    if (mode === "backfill") {
      throw new SyncError("sync_busy", "a poll for this key is running; try again shortly");
    }
    await recordSkipped(redis, keys, key);
    deps.metrics?.polls.inc({ entity: key.entity, outcome: "skipped" });
    log.info("poll skipped: another poll of this key is running");
    return { status: "skipped_busy", key };
  }

  const startedAt = deps.clock();
  const today = utcDate(startedAt);
  const shadow = isShadow(deps, key, schedule.shadow);
  try {
    const current = (await redis.get(keys.watermark(key))) ?? undefined;
    const { since, emit, base } = planWindow({
      mode,
      watermark: current,
      today,
      overlapDays: schedule.overlapDays,
      startFrom: schedule.startFrom,
      prime: schedule.prime,
      ...(request.since ? { since: request.since } : {}),
    });

    const ctx: PageContext = {
      key,
      emit,
      alerts: alertsEnabled(schedule),
      shadow,
      mode,
      counts: emptyCounts(),
      quarantine: [],
    };
    let maxSeen: string | undefined;
    let pages = 0;
    if (since !== undefined) {
      const source = await deps.sourceFactory({
        tenant: key.tenant,
        company: key.company,
        division: key.division,
      });
      if (source.supports && !source.supports(key.entity)) {
        throw new SyncError(
          "sync_bad_config",
          `this ERP's source cannot list changed ${key.entity} records; remove the schedule`,
        );
      }
      const listed = source.listChanged(key.entity, since, {
        pageSize: schedule.pageSize,
        signal: request.signal ? AbortSignal.any([lease.signal, request.signal]) : lease.signal,
      });
      // With a sink that reads ahead for its deliveries (the match pipeline's POs), the next
      // page is fetched while this one is handled and announced as soon as it arrives, so those
      // reads overlap this page's work instead of following it.
      const prefetch = deps.sink.prefetch?.bind(deps.sink);
      const iterable =
        prefetch && emit && ctx.alerts
          ? readAhead(listed, (page) => {
              likelyChanged(deps, key, normalizePage(page))
                .then((records) => {
                  if (records.length > 0) prefetch({ key, records });
                })
                .catch(() => undefined);
            })
          : listed;
      // Iterated by hand so that only the source's own errors count as source failures.
      const pagesIt = iterable[Symbol.asyncIterator]();
      try {
        for (;;) {
          let next: IteratorResult<SourcePage>;
          try {
            next = await pagesIt.next();
          } catch (err) {
            if (err instanceof SyncError) throw err;
            // A source that honours our signal throws its abort reason: name the real cause.
            if (request.signal?.aborted) throw aborted();
            if (lease.signal.aborted) throw lockLost();
            throw new SyncError("sync_source_failed", `reading ${key.entity} failed`, err);
          }
          if (next.done) break;
          if (lease.signal.aborted) throw lockLost();
          if (request.signal?.aborted) throw aborted();
          pages++;
          const r = await processPage(deps, ctx, normalizePage(next.value));
          maxSeen = maxDate(maxSeen, r.maxChangedAt);
        }
      } catch (err) {
        // Let the source close its connection or cursor, as for-await would.
        await pagesIt.return?.().catch(() => undefined);
        throw err;
      }
    }

    const fresh = await unreported(redis, keys.quarantined(key), ctx.quarantine);
    if (fresh.length > 0) {
      await deps.sink.quarantine({ key, items: fresh });
      await markReported(redis, keys.quarantined(key), fresh, startedAt.getTime());
    }

    await deps.hooks?.beforeWatermark?.(key);
    const target = nextWatermark(base, maxSeen, today);
    if (lease.signal.aborted) throw lockLost();
    const stored = await watermarkAdvanceScript.run(redis, {
      keys: { watermark: keys.watermark(key), lock: lockKey },
      args: { watermark: target, token: lease.token },
    });
    if (stored === undefined) throw lockLost();

    const recovery = await clearFailures(redis, keys.failures(key));
    const finishedAt = deps.clock();
    if (recovery.owed) {
      await notifyOps(deps, {
        kind: "poll_recovered",
        key,
        failures: recovery.failures,
        failingSince: recovery.since,
        recoveredAt: finishedAt.toISOString(),
      });
    }
    await recordPollSuccess(redis, keys, key, ctx.counts, { startedAt, finishedAt });
    countMetrics(deps, key, ctx.counts);
    log.info({ since, watermark: stored, pages, counts: ctx.counts, shadow }, "poll done");
    return {
      status: emit ? "done" : "primed",
      key,
      since,
      watermark: String(stored),
      pages,
      counts: ctx.counts,
      shadow,
    };
  } catch (err) {
    const code = syncFailureCode(err);
    const failedAt = deps.clock();
    if (code === "sync_aborted") {
      log.info("poll stopped for shutdown; watermark unchanged");
      throw err;
    }
    deps.metrics?.polls.inc({ entity: key.entity, outcome: "error" });
    const detail = errorDetail(err);
    log.warn({ code, detail, err: errorSummary(err) }, "poll failed; watermark unchanged");
    try {
      const mark = await recordFailure(
        redis,
        keys.failures(key),
        deps.failureThreshold,
        failedAt.toISOString(),
      );
      await recordPollFailure(redis, keys, key, code, { startedAt, failedAt }, detail);
      if (mark.alertNow) {
        await notifyOps(deps, {
          kind: "poll_failing",
          key,
          consecutiveFailures: mark.count,
          errorCode: code,
          errorMessage: detail,
          failingSince: mark.since,
        });
      }
    } catch (bookkeeping) {
      log.error({ err: errorSummary(bookkeeping) }, "recording the poll failure failed");
    }
    throw err;
  } finally {
    await lease.release().catch(() => undefined);
  }
}

function countMetrics(deps: ReturnType<typeof resolveDeps>, key: PollKey, c: PollCounts): void {
  const m = deps.metrics;
  if (!m) return;
  m.polls.inc({ entity: key.entity, outcome: "ok" });
  const add = (outcome: "new" | "changed" | "unchanged" | "quarantined", n: number) => {
    if (n > 0) m.records.inc({ entity: key.entity, outcome }, n);
  };
  // Primed records were new to us; they are counted as such even though nothing was posted.
  add("new", c.new + c.primed);
  add("changed", c.updated);
  add("unchanged", c.unchanged);
  add("quarantined", c.quarantined);
}

function aborted(): SyncError {
  return new SyncError("sync_aborted", "the poll was stopped (shutdown); it resumes next time");
}

function lockLost(): SyncError {
  return new SyncError("sync_lock_lost", "the poll lock expired mid-poll; nothing committed");
}

async function notifyOps(
  deps: ReturnType<typeof resolveDeps>,
  notice: Parameters<SyncDeps["sink"]["ops"]>[0],
): Promise<void> {
  try {
    await deps.sink.ops(notice);
  } catch (err) {
    // The poll's own outcome stands; the ops channel being down is logged, not fatal.
    deps.logger.error({ err: errorSummary(err), notice: notice.kind }, "ops notice failed");
  }
}

/** Code and message only: a client error may carry request details we must not log. */
function errorSummary(err: unknown): { code: string; message: string } {
  return { code: syncFailureCode(err), message: err instanceof Error ? err.message : String(err) };
}
