import { durationMs, type RoutingConfig } from "../config/routing-schema.ts";
import type { Entity } from "../infor/records.ts";
import type { SyncScheduleInput } from "./schedule.ts";

/** Master data lives per company in M3 (CIDMAS, FCHACC), not per division: poll it once. */
const COMPANY_LEVEL: ReadonlySet<Entity> = new Set<Entity>(["supplier", "account"]);

export interface RoutingScheduleOptions {
  pageSize?: number;
  overlapDays?: number;
}

/**
 * routing.yml → one sync schedule per (tenant, company, division, entity). Shadow mode, the
 * first-run start and reference-data alerts come from the file's global settings; cron
 * schedules without their own time zone use the file's `timeZone`.
 */
export function schedulesFromRouting(
  config: RoutingConfig,
  options: RoutingScheduleOptions = {},
): SyncScheduleInput[] {
  const out: SyncScheduleInput[] = [];
  const startFrom = config.firstRun.mode === "since" ? config.firstRun.since : "now";
  const shadowEntities = new Set<string>(config.shadowMode.entities);
  for (const tenant of config.tenants) {
    for (const company of tenant.companies) {
      for (const [entity, schedule] of Object.entries(company.schedules) as [
        Entity,
        (typeof company.schedules)[Entity],
      ][]) {
        if (!schedule) continue;
        const divisions = COMPANY_LEVEL.has(entity) ? [""] : [...new Set(company.divisions)];
        for (const division of divisions) {
          const entry: SyncScheduleInput = {
            tenant: tenant.id,
            company: company.company,
            division,
            entity,
            shadow: config.shadowMode.all || shadowEntities.has(entity),
            startFrom,
            ...("every" in schedule
              ? { everyMs: durationMs(schedule.every) }
              : { cron: schedule.cron, tz: schedule.timeZone ?? config.timeZone }),
            ...(options.pageSize ? { pageSize: options.pageSize } : {}),
            ...(options.overlapDays !== undefined ? { overlapDays: options.overlapDays } : {}),
          };
          if (entity === "supplier") entry.alerts = config.referenceAlerts.suppliers;
          if (entity === "account") entry.alerts = config.referenceAlerts.costCenters;
          out.push(entry);
        }
      }
    }
  }
  return out;
}
