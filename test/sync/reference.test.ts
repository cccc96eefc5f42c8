import { describe, expect, it } from "vitest";
import { runPoll } from "../../src/sync/poll.ts";
import { createReferenceCache } from "../../src/sync/reference.ts";
import { FakeSource, fileRedis, manualClock, RecordingSink, scope } from "./helpers.ts";

const { redis, prefix } = fileRedis("reference");

const base = { tenant: scope.tenant, company: scope.company, source: "m3" } as const;
const supplier = (id: string, name: string, changedAt: string, over = {}) => ({
  entity: "supplier",
  ...base,
  division: "",
  changedAt,
  id,
  name,
  status: "20",
  ...over,
});
const costCenter = (id: string, name: string, changedAt: string) => ({
  entity: "account",
  ...base,
  division: "",
  changedAt,
  dimension: 2,
  id,
  name,
});

describe("reference data", () => {
  it("caches suppliers and cost centers read by the pollers, primed or not", async () => {
    const source = new FakeSource();
    source.put("s1", supplier("10042", "Nordic Steel AB", "2026-11-30"));
    source.put("s2", supplier("10043", "Acme Fasteners", "2026-11-30"));
    source.put("c1", costCenter("CC10", "Maintenance", "2026-11-30"));
    const sink = new RecordingSink();
    const reference = createReferenceCache({ redis, prefix });
    const clock = manualClock("2026-12-01T08:00:00Z");
    const deps = { redis, prefix, sourceFactory: () => source, sink, reference, clock: clock.now };
    const sched = (entity: "supplier" | "account") => ({
      tenant: scope.tenant,
      company: scope.company,
      entity,
      everyMs: 3_600_000,
    });
    await runPoll(deps, { schedule: sched("supplier") });
    await runPoll(deps, { schedule: sched("account") });
    expect(sink.events()).toHaveLength(0);

    expect(await reference.getSupplier(scope.tenant, scope.company, "10042")).toMatchObject({
      name: "Nordic Steel AB",
    });
    expect(
      (await reference.findSuppliers(scope.tenant, scope.company, "steel")).map((s) => s.id),
    ).toEqual(["10042"]);
    expect(await reference.getCostCenter(scope.tenant, scope.company, "CC10")).toMatchObject({
      name: "Maintenance",
    });
    expect(await reference.getSupplier(scope.tenant, "999", "10042")).toBeUndefined();

    // Master data changes alert only when asked to (here: suppliers, not cost centers).
    source.put("s1", supplier("10042", "Nordic Steel AB", "2026-12-01", { blocked: true }));
    source.put("c1", costCenter("CC10", "Maintenance & Repair", "2026-12-01"));
    await runPoll(deps, { schedule: { ...sched("supplier"), alerts: true } });
    await runPoll(deps, { schedule: sched("account") });
    expect(sink.events().map((e) => [e.kind, e.changes.map((c) => c.path)])).toEqual([
      ["updated", ["blocked"]],
    ]);
    expect(await reference.getCostCenter(scope.tenant, scope.company, "CC10")).toMatchObject({
      name: "Maintenance & Repair",
    });

    source.put("c1", costCenter("CC10", "Repair", "2026-12-01"));
    await runPoll(deps, { schedule: { ...sched("account"), alerts: true } });
    expect(
      sink
        .events()
        .at(-1)
        ?.changes.map((c) => c.path),
    ).toEqual(["name"]);
  });

  it("finds a supplier by its exact id even when many names contain the query", async () => {
    const reference = createReferenceCache({ redis, prefix: `${prefix}many:` });
    const many = Array.from({ length: 5_000 }, (_, i) =>
      supplier(`S${String(i).padStart(5, "0")}`, `Acme Parts ${i}`, "2026-11-30"),
    );
    await reference.store([...many, supplier("ACME", "Zeta Holdings", "2026-11-30")] as never);
    const found = await reference.findSuppliers(scope.tenant, scope.company, "acme");
    expect(found).toHaveLength(10);
    expect(found[0]?.id).toBe("ACME");
    expect(found.slice(1).every((s) => s.name.startsWith("Acme Parts"))).toBe(true);
  });
});
