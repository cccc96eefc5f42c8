import type { Queue } from "bullmq";
import type { Logger } from "pino";
import type { PushHandlerOptions } from "../ops/push/handler.ts";
import type { PushTarget } from "../ops/push/m3-event.ts";
import { type SyncScheduleInput, syncScheduleSchema } from "../sync/schedule.ts";
import { PUSH_READ_JOB_NAME, type PushReadJobData } from "../sync/schedules.ts";

/**
 * An M3 event names one record: queue a read of THAT record for every poll key that covers it
 * (same tenant, company and entity; the event's division, or every division when the table is
 * company-wide or the key polls the whole company). A key whose division does not hold the
 * record reads nothing (the source filters by division), which costs one request.
 */
export function pushIngest(o: {
  queue: Queue;
  schedules: readonly SyncScheduleInput[];
  tenant: string;
  logger: Logger;
}): PushHandlerOptions["ingest"] {
  const schedules = o.schedules.map((s) => syncScheduleSchema.parse(s));
  return async (targets: PushTarget[]) => {
    const jobs: { name: string; data: PushReadJobData; opts: object }[] = [];
    for (const t of targets) {
      const matching = schedules.filter(
        (s) =>
          s.tenant === o.tenant &&
          s.company === t.company &&
          s.entity === t.target.entity &&
          (s.division === t.division || s.division === "" || t.division === ""),
      );
      if (matching.length === 0) {
        o.logger.debug(
          { entity: t.target.entity, company: t.company, division: t.division, table: t.table },
          "M3 event for a company/entity no schedule polls: nothing read",
        );
      }
      for (const schedule of matching) {
        jobs.push({
          name: PUSH_READ_JOB_NAME,
          data: { schedule, target: t.target },
          opts: {
            // A running poll of the key holds the lock: retry briefly, then leave it to the poll.
            attempts: 3,
            backoff: { type: "fixed", delay: 1000 },
            removeOnComplete: { count: 500 },
            removeOnFail: { count: 500 },
          },
        });
      }
    }
    if (jobs.length > 0) await o.queue.addBulk(jobs);
  };
}

/**
 * With write-back on, an M3 event about a supplier invoice batch (FAPIBH, FAPIBL) also marks the
 * invoice due for the decided-in-M3 check at once: the reflection reads that batch's state in
 * M3 right away instead of after the targeted read of the record has run through the sync queue.
 * Batch-number identity: the record key ends in the batch number (INBN), as sync builds it.
 */
export function reflectIngest(o: {
  tenant: string;
  markDue: (recordKey: string) => Promise<void>;
}): PushHandlerOptions["ingest"] {
  return async (targets: PushTarget[]) => {
    for (const t of targets) {
      const target = t.target;
      if (!("batchNumber" in target) || !t.division) continue;
      await o.markDue(
        ["supplier_invoice", o.tenant, t.company, t.division, target.batchNumber].join(":"),
      );
    }
  };
}

/** Several ingests for one endpoint, in order (the first failure answers 503). */
export function allIngests(
  ...ingests: PushHandlerOptions["ingest"][]
): PushHandlerOptions["ingest"] {
  return async (targets) => {
    for (const ingest of ingests) await ingest(targets);
  };
}
