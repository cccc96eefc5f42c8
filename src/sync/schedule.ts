import { z } from "zod";
import { ENTITIES } from "../infor/records.ts";
import { isIsoDate } from "./dates.ts";
import type { PollKey } from "./keys.ts";

/**
 * One schedule entry as the sync engine needs it. The routing file (`src/config/routing.ts`) owns
 * the YAML shape; it maps its entries onto this. It travels as BullMQ job data, so a worker needs
 * no config of its own to run a poll.
 */
export const syncScheduleSchema = z
  .object({
    tenant: z.string().trim().min(1),
    company: z.string().trim().min(1),
    division: z.string().trim().default(""),
    entity: z.enum(ENTITIES),
    /** Cron pattern (5 fields, or 6 with seconds) read in `tz`. */
    cron: z.string().trim().min(1).optional(),
    /** IANA time zone for `cron`; UTC when absent. */
    tz: z.string().trim().min(1).optional(),
    /** Fixed interval instead of a cron pattern. */
    everyMs: z.number().int().min(1000).optional(),
    /** Poll, detect and hand to the sink as shadow: audit what would be posted, post nothing. */
    shadow: z.boolean().default(false),
    /** Whether changes of this entity become alerts (master data may be cache-only). */
    alerts: z.boolean().optional(),
    pageSize: z.number().int().min(1).max(10_000).default(200),
    /**
     * Days re-read before the watermark. M3 change dates (LMDT) are date-only, so a poll re-reads
     * the watermark day; one more day covers clock skew between the ERP and us.
     */
    overlapDays: z.number().int().min(0).max(31).default(1),
    /** First run: `now` (default) starts quietly from today; an ISO date imports from that day. */
    startFrom: z
      .union([z.literal("now"), z.string().refine(isIsoDate, "expected now or YYYY-MM-DD")])
      .default("now"),
    /** On a `now` first run, read the overlap window to learn hashes without alerting. */
    prime: z.boolean().default(true),
  })
  .refine((s) => (s.cron === undefined) !== (s.everyMs === undefined), {
    message: "set exactly one of cron or everyMs",
  });

export type SyncScheduleInput = z.input<typeof syncScheduleSchema>;
export type SyncSchedule = z.output<typeof syncScheduleSchema>;

export function scheduleKey(s: SyncSchedule): PollKey {
  return { tenant: s.tenant, company: s.company, division: s.division, entity: s.entity };
}

/**
 * Master data (suppliers, accounts / cost centers) is cached for routing and lookups; its changes
 * alert only when asked to (`referenceAlerts` in routing.yml). Documents alert by default.
 */
export function alertsEnabled(s: SyncSchedule): boolean {
  return s.alerts ?? (s.entity !== "account" && s.entity !== "supplier");
}
