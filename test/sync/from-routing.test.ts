import { describe, expect, it } from "vitest";
import { parseRouting } from "../../src/config/routing-load.ts";
import { schedulesFromRouting } from "../../src/sync/from-routing.ts";
import { syncScheduleSchema } from "../../src/sync/schedule.ts";

const yml = `
version: 1
timeZone: Europe/Stockholm
firstRun: { mode: since, since: "2026-11-01" }
channels: { ap: C0AP00001 }
defaultChannel: ap
opsChannel: ap
shadowMode: { entities: [supplier_invoice] }
referenceAlerts: { suppliers: true }
tenants:
  - id: ACME_PRD
    companies:
      - company: 100
        divisions: [AAA, BBB]
        schedules:
          purchase_order: { every: 5m }
          supplier_invoice: { cron: "0 * * * *" }
          supplier: { cron: "0 6 * * *", timeZone: UTC }
          account: { every: 1h }
`;

describe("schedules from routing.yml", () => {
  it("makes one valid schedule per key, master data once per company", () => {
    const parsed = parseRouting(yml);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const schedules = schedulesFromRouting(parsed.config);
    expect(schedules.map((s) => `${s.division || "-"}/${s.entity}`)).toEqual([
      "AAA/purchase_order",
      "BBB/purchase_order",
      "AAA/supplier_invoice",
      "BBB/supplier_invoice",
      "-/supplier",
      "-/account",
    ]);
    for (const s of schedules) expect(syncScheduleSchema.safeParse(s).success).toBe(true);
    expect(schedules[0]).toMatchObject({
      everyMs: 300_000,
      startFrom: "2026-11-01",
      shadow: false,
    });
    expect(schedules[2]).toMatchObject({ cron: "0 * * * *", tz: "Europe/Stockholm", shadow: true });
    expect(schedules[4]).toMatchObject({ tz: "UTC", alerts: true, company: "100" });
    expect(schedules[5]).toMatchObject({ alerts: false, everyMs: 3_600_000 });
  });
});
