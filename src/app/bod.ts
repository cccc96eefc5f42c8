import type { Queue } from "bullmq";
import type { Logger } from "pino";
import type { BodHandlerOptions, BodTrigger } from "../ops/bod/handler.ts";
import { pollKeyId } from "../sync/keys.ts";
import { type SyncScheduleInput, scheduleKey, syncScheduleSchema } from "../sync/schedule.ts";
import { POLL_JOB_NAME, type PollJobData } from "../sync/schedules.ts";

/**
 * A BOD says "this record changed now". Rather than a second path into change detection, it
 * triggers an immediate poll of that record's key: the poll reads the ERP as usual, so the BOD
 * and the scheduled poll dedupe by the same content hashes and nothing is posted twice. Jobs are
 * named per key and second, so a burst of BODs for one key becomes one poll.
 */
export function bodIngest(o: {
  queue: Queue;
  schedules: readonly SyncScheduleInput[];
  logger: Logger;
  now?: () => number;
}): BodHandlerOptions["ingest"] {
  const schedules = o.schedules.map((s) => syncScheduleSchema.parse(s));
  const now = o.now ?? Date.now;
  return async (records: BodTrigger[]) => {
    const wanted = new Map<string, (typeof schedules)[number]>();
    for (const r of records) {
      // A BOD naming only the company (M3's bare CONO, LN's company, a SyteLine site) polls every
      // division configured for it; one naming a division polls that one.
      const matching = schedules.filter(
        (x) =>
          x.tenant === r.tenant &&
          x.company === r.company &&
          x.entity === r.entity &&
          (x.division === r.division || x.division === "" || r.division === ""),
      );
      for (const s of matching) wanted.set(pollKeyId(scheduleKey(s)), s);
      if (matching.length === 0) {
        o.logger.warn(
          { entity: r.entity, company: r.company, division: r.division },
          "BOD names a company/entity no schedule polls: nothing triggered",
        );
      }
    }
    const second = Math.floor(now() / 1000);
    for (const [id, schedule] of wanted) {
      const data: PollJobData = { schedule };
      await o.queue.add(POLL_JOB_NAME, data, {
        jobId: `bod-${id.replaceAll("/", "_")}-${second}`,
        attempts: 3,
        backoff: { type: "exponential", delay: 5000 },
        removeOnComplete: { count: 200 },
        removeOnFail: { count: 500 },
      });
    }
  };
}
