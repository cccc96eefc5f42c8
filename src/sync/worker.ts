import { type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import { codeOf } from "../shared/error-code.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type { SyncDeps } from "./deps.ts";
import { errorDetail, SyncError } from "./errors.ts";
import { type PollResult, runPoll } from "./poll.ts";
import {
  POLL_JOB_NAME,
  type PollJobData,
  PUSH_READ_JOB_NAME,
  type PushReadJobData,
} from "./schedules.ts";
import { runTargetedRead, type TargetedReadResult } from "./targeted.ts";

/** BullMQ queue name of the poll jobs (queue names may not contain ":"). */
export const SYNC_QUEUE = "sync-polls";

export interface SyncWorkerDeps extends SyncDeps {
  /** Connection for BullMQ (needs `maxRetriesPerRequest: null`); not closed by `close()`. */
  connection: RedisClient;
  queueName?: string;
  /** BullMQ key prefix (default `bull`); tests pass a unique one. */
  bullPrefix?: string;
  /** Polls run at once by this worker (different keys; one key never runs twice at once). */
  concurrency?: number;
}

export interface SyncWorker {
  /**
   * Typed for polls, which is what watchers of this worker read; push reads (job name
   * `push-read`) share the queue so they run where the sources and the sink are.
   */
  worker: Worker<PollJobData, PollResult>;
  close(): Promise<void>;
}

/**
 * A BullMQ worker that runs polls. Retries and backoff come from the job options set by
 * `applySchedules`; a failing attempt leaves the watermark where it was.
 */
export function createSyncWorker(deps: SyncWorkerDeps): SyncWorker {
  const shutdown = new AbortController();
  const worker = new Worker<PollJobData, PollResult>(
    deps.queueName ?? SYNC_QUEUE,
    async (job: Job<PollJobData, PollResult>) => {
      if (job.name === PUSH_READ_JOB_NAME) {
        const { schedule, target } = job.data as unknown as PushReadJobData;
        try {
          const r: TargetedReadResult = await runTargetedRead(deps, { schedule, target });
          return r as unknown as PollResult;
        } catch (err) {
          if (err instanceof SyncError && err.code === "sync_bad_config") {
            throw new UnrecoverableError(`${err.code}: ${err.message}`);
          }
          throw err;
        }
      }
      if (job.name !== POLL_JOB_NAME) throw new Error(`unknown sync job ${job.name}`);
      const { schedule, mode, since } = job.data;
      try {
        return await runPoll(deps, {
          schedule,
          ...(mode ? { mode } : {}),
          ...(since ? { since } : {}),
          signal: shutdown.signal,
        });
      } catch (err) {
        // A schedule that cannot work will not work on the next attempt either.
        if (err instanceof SyncError && err.code === "sync_bad_config") {
          throw new UnrecoverableError(`${err.code}: ${err.message}`);
        }
        throw err;
      }
    },
    {
      connection: deps.connection,
      concurrency: deps.concurrency ?? 2,
      ...(deps.bullPrefix ? { prefix: deps.bullPrefix } : {}),
    },
  );
  // An EventEmitter "error" with no listener would crash the process (Redis blips included).
  worker.on("error", (err) => {
    deps.logger?.error({ code: codeOf(err), message: err.message }, "sync worker error");
  });
  worker.on("failed", (job, err) => {
    const code = codeOf(err);
    // The source's own words too (M3's message and field): "mi_business" alone says nothing.
    const context = { job: job?.id, attempts: job?.attemptsMade, code, detail: errorDetail(err) };
    // Shutdown stops a poll between pages on purpose; its retry is routine, not a warning sign.
    if (code === "sync_aborted")
      deps.logger?.info(context, "poll stopped by shutdown; it is retried");
    else deps.logger?.warn(context, "poll attempt failed");
  });
  return {
    worker,
    /** Stop running polls between pages (nothing half-committed), then close the worker. */
    async close() {
      shutdown.abort();
      await worker.close();
    },
  };
}

export function createSyncQueue(
  connection: RedisClient,
  options: { queueName?: string; bullPrefix?: string } = {},
): Queue<PollJobData, PollResult> {
  return new Queue<PollJobData, PollResult>(options.queueName ?? SYNC_QUEUE, {
    connection,
    ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
  });
}
