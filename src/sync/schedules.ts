import type { Queue } from "bullmq";
import type { RecordTarget } from "../infor/source.ts";
import { SyncError } from "./errors.ts";
import { pollKeyId, SCHEDULER_PREFIX, schedulerId } from "./keys.ts";
import {
  type SyncSchedule,
  type SyncScheduleInput,
  scheduleKey,
  syncScheduleSchema,
} from "./schedule.ts";

/** Job data of a poll: the whole schedule entry, so any worker can run it without config. */
export interface PollJobData {
  schedule: SyncSchedule;
  mode?: "poll" | "backfill";
  since?: string;
}

export const POLL_JOB_NAME = "poll";

/** Job of a push: read the one record an ERP event names (src/sync/targeted.ts). */
export const PUSH_READ_JOB_NAME = "push-read";

export interface PushReadJobData {
  schedule: SyncSchedule;
  target: RecordTarget;
}

export interface RetryPolicy {
  /** Tries per firing, the first included. */
  attempts: number;
  /** First backoff delay; doubles each retry (BullMQ exponential backoff). */
  backoffMs: number;
}

/**
 * ION gateway maintenance (502/503/504) and throttling (429) usually pass within minutes: a few
 * exponential retries ride them out; a longer outage is reported by the consecutive-failure alert.
 */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, backoffMs: 5_000 };

export interface ApplyResult {
  upserted: string[];
  removed: string[];
}

/**
 * Make the queue's job schedulers match the schedule list: one BullMQ job scheduler per
 * (tenant, company, division, entity), upserted (so every scheduler process may run this at
 * start-up without creating duplicates), and schedulers of keys no longer listed removed.
 * BullMQ fires each iteration once across all workers: the iteration's job id is
 * `repeat:<scheduler id>:<due millis>`, and adding a job whose id exists is a no-op.
 */
export async function applySchedules(
  queue: Queue,
  input: readonly SyncScheduleInput[],
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<ApplyResult> {
  const schedules = input.map((s, i) => {
    const parsed = syncScheduleSchema.safeParse(s);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `.${issue.path.join(".")}` : "";
      throw new SyncError(
        "sync_bad_config",
        `schedules[${i}]${where}: ${issue?.message ?? "invalid schedule"}`,
      );
    }
    return parsed.data;
  });
  const wanted = new Map<string, SyncSchedule>();
  for (const s of schedules) {
    const id = schedulerId(scheduleKey(s));
    if (wanted.has(id)) {
      throw new SyncError(
        "sync_bad_config",
        `two schedules for ${pollKeyId(scheduleKey(s))}: one key, one schedule`,
      );
    }
    wanted.set(id, s);
  }

  const upserted: string[] = [];
  for (const [id, s] of wanted) {
    const repeat = s.cron
      ? { pattern: s.cron, ...(s.tz ? { tz: s.tz } : {}) }
      : { every: s.everyMs as number };
    const data: PollJobData = { schedule: s };
    await queue.upsertJobScheduler(id, repeat, {
      name: POLL_JOB_NAME,
      data,
      opts: {
        attempts: retry.attempts,
        backoff: { type: "exponential", delay: retry.backoffMs },
        removeOnComplete: { count: 200 },
        removeOnFail: { count: 500 },
      },
    });
    upserted.push(id);
  }

  const removed: string[] = [];
  const existing = await queue.getJobSchedulers(0, -1);
  for (const sched of existing) {
    const id = sched.key;
    if (id.startsWith(SCHEDULER_PREFIX) && !wanted.has(id)) {
      await queue.removeJobScheduler(id);
      removed.push(id);
    }
  }
  return { upserted, removed };
}
