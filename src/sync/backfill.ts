import type { Entity } from "../infor/records.ts";
import { isIsoDate } from "./dates.ts";
import type { SyncDeps } from "./deps.ts";
import { SyncError } from "./errors.ts";
import { type PollResult, runPoll } from "./poll.ts";
import { type SyncScheduleInput, syncScheduleSchema } from "./schedule.ts";

export interface BackfillRequest {
  /** The configured schedules: backfill runs for each one of this entity (narrowed below). */
  schedules: readonly SyncScheduleInput[];
  entity: Entity;
  /** ISO date: records changed on or after it are imported. */
  since: string;
  tenant?: string;
  company?: string;
  division?: string;
}

/**
 * Import history deliberately (`cloudsuite-slack backfill --entity … --since …`). It runs the
 * same path as a poll, under the same per-key lock, so its alerts go through the sink and the
 * delivery pacer like any other; records already seen stay quiet (same hashes, same alert ids),
 * and the watermark never moves back. Keys run one after another to keep within the ION budget.
 */
export async function backfill(deps: SyncDeps, request: BackfillRequest): Promise<PollResult[]> {
  if (!isIsoDate(request.since)) {
    throw new SyncError("sync_bad_config", "backfill --since must be an ISO date YYYY-MM-DD");
  }
  const matching = request.schedules
    .map((s) => syncScheduleSchema.parse(s))
    .filter(
      (s) =>
        s.entity === request.entity &&
        (request.tenant === undefined || s.tenant === request.tenant) &&
        (request.company === undefined || s.company === request.company) &&
        (request.division === undefined || s.division === request.division),
    );
  if (matching.length === 0) {
    throw new SyncError("sync_bad_config", `no schedule polls ${request.entity} for that scope`);
  }
  const results: PollResult[] = [];
  for (const schedule of matching) {
    results.push(await runPoll(deps, { schedule, mode: "backfill", since: request.since }));
  }
  return results;
}
