import { type Job, Queue, Worker } from "bullmq";
import pino, { type Logger } from "pino";
import type { RecheckResult } from "../pipeline/exception-tracker.ts";
import { codeOf } from "../shared/error-code.ts";
import type { RedisClient } from "../shared/redis-client.ts";

/**
 * Housekeeping that must run once per interval across all replicas, not once per process:
 * the audit log's retention and the exception pipeline's safety sweep. BullMQ job schedulers
 * give that (one scheduler per id in Redis; each firing is one job that one worker takes), which
 * an in-process cron in every replica would not.
 */
export const MAINTENANCE_QUEUE = "maintenance";
export const AUDIT_TRIM_JOB = "audit-trim";
export const RECHECK_OPEN_JOB = "pipeline-recheck";

const HOUR_MS = 3_600_000;

export interface MaintenanceSettings {
  /** How often the audit log's retention is applied; 0 removes the schedule. */
  auditTrimEveryMs: number;
  /** How often invoices with open exceptions are re-evaluated; 0 removes the schedule. */
  recheckEveryMs: number;
  /**
   * Invoices re-evaluated per run, picked at random: each one re-reads its POs through ION, so a
   * run stays inside the tenant's request budget and successive runs cover all in time.
   */
  recheckLimit: number;
}

export const MAINTENANCE_DEFAULTS: MaintenanceSettings = {
  auditTrimEveryMs: HOUR_MS,
  recheckEveryMs: HOUR_MS,
  recheckLimit: 200,
};

export function maintenanceSettings(input: Partial<MaintenanceSettings> = {}): MaintenanceSettings {
  const s = { ...MAINTENANCE_DEFAULTS, ...input };
  for (const [k, v] of Object.entries(s)) {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`maintenance ${k} must be an integer ≥ 0`);
  }
  return s;
}

/** What the jobs do; the app passes the audit log and the pipeline + delivery. */
export interface MaintenanceTasks {
  trimAudit(): Promise<void>;
  recheckOpen(limit: number): Promise<RecheckResult>;
}

export interface MaintenanceJobData {
  /** recheck: invoices per run. */
  limit?: number;
}

export function createMaintenanceQueue(
  connection: RedisClient,
  options: { bullPrefix?: string } = {},
): Queue<MaintenanceJobData> {
  return new Queue<MaintenanceJobData>(MAINTENANCE_QUEUE, {
    connection,
    ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
  });
}

const JOB_OPTS = {
  // A missed run is covered by the next one; retrying would only stack runs up.
  attempts: 1,
  removeOnComplete: { count: 50 },
  removeOnFail: { count: 100 },
};

/**
 * Scheduler role: make the two job schedulers match the settings. Upserting the same id with the
 * same interval is idempotent, so every scheduler replica may call it at start-up.
 */
export async function applyMaintenanceSchedules(
  queue: Queue<MaintenanceJobData>,
  settings: MaintenanceSettings,
): Promise<{ upserted: string[]; removed: string[] }> {
  const upserted: string[] = [];
  const removed: string[] = [];
  const wanted: [id: string, everyMs: number, data: MaintenanceJobData][] = [
    [AUDIT_TRIM_JOB, settings.auditTrimEveryMs, {}],
    [RECHECK_OPEN_JOB, settings.recheckEveryMs, { limit: settings.recheckLimit }],
  ];
  for (const [id, every, data] of wanted) {
    if (every > 0) {
      await queue.upsertJobScheduler(id, { every }, { name: id, data, opts: JOB_OPTS });
      upserted.push(id);
    } else if (await queue.removeJobScheduler(id)) {
      removed.push(id);
    }
  }
  return { upserted, removed };
}

/** Worker role: runs the maintenance jobs one at a time. Closing it waits for a running job. */
export function startMaintenanceWorker(o: {
  /** BullMQ connection (`maxRetriesPerRequest: null`); not closed by the worker. */
  connection: RedisClient;
  bullPrefix?: string;
  tasks: MaintenanceTasks;
  /** Fallback when a job carries no limit. */
  recheckLimit?: number;
  logger?: Logger;
}): Worker<MaintenanceJobData> {
  const logger = o.logger ?? pino({ level: "silent" });
  const worker = new Worker<MaintenanceJobData>(
    MAINTENANCE_QUEUE,
    async (job: Job<MaintenanceJobData>) => {
      if (job.name === AUDIT_TRIM_JOB) {
        await o.tasks.trimAudit();
        logger.info({ job: job.name }, "audit retention applied");
        return { ok: true };
      }
      if (job.name === RECHECK_OPEN_JOB) {
        const limit = job.data.limit ?? o.recheckLimit ?? MAINTENANCE_DEFAULTS.recheckLimit;
        const result = await o.tasks.recheckOpen(limit);
        logger.info({ job: job.name, ...result }, "open exceptions rechecked");
        return result;
      }
      throw new Error(`unknown maintenance job ${job.name}`);
    },
    {
      connection: o.connection,
      ...(o.bullPrefix ? { prefix: o.bullPrefix } : {}),
      concurrency: 1,
    },
  );
  worker.on("error", (err) => logger.warn({ code: codeOf(err) }, "maintenance worker error"));
  worker.on("failed", (job, err) =>
    logger.warn(
      { job: job?.name, code: codeOf(err) },
      "maintenance job failed; the next run retries",
    ),
  );
  return worker;
}
