import { describe, expect, it } from "vitest";
import type { Supplier } from "../../src/infor/records.ts";
import { runPoll } from "../../src/sync/poll.ts";
import { createReferenceCache } from "../../src/sync/reference.ts";
import { supplierNameResolver } from "../../src/sync/supplier-names.ts";
import {
  FakeSource,
  fileRedis,
  manualClock,
  po,
  poSchedule,
  RecordingSink,
  scope,
} from "./helpers.ts";

const { redis, newPrefix } = fileRedis("supplier-names");

const supplier = (id: string, name: string): Supplier => ({
  entity: "supplier",
  tenant: scope.tenant,
  company: scope.company,
  division: "",
  source: "m3",
  changedAt: "2026-11-01",
  id,
  name,
  status: "20",
  blocked: false,
});

describe("supplier names on alerts", () => {
  it("fills names from the reference cache, reads a missing supplier once from the ERP, keeps the id when nobody knows", async () => {
    const prefix = newPrefix();
    const reference = createReferenceCache({ redis, prefix });
    await reference.store([supplier("S1", "Nordic Office Supply Ltd")]);
    const fetched: string[] = [];
    const names = supplierNameResolver({
      reference,
      fetch: async (_scope, id) => {
        fetched.push(id);
        if (id === "S3") throw new Error("ION 503");
        return id === "S2" ? supplier("S2", "Acme Tools GmbH") : undefined;
      },
    });
    const source = new FakeSource();
    source.put("1", po("4000001", "2026-12-01", { supplierId: "S1" }));
    source.put("2", po("4000002", "2026-12-01", { supplierId: "S2" }));
    source.put("3", po("4000003", "2026-12-01", { supplierId: "S3" }));
    source.put("4", po("4000004", "2026-12-01", { supplierId: "S4" }));
    const sink = new RecordingSink();
    const clock = manualClock("2026-12-01T08:00:00Z");
    const deps = {
      redis,
      prefix,
      sourceFactory: () => source,
      sink,
      reference,
      supplierNames: names,
      clock: clock.now,
    };
    await runPoll(deps, { schedule: poSchedule({ startFrom: "2026-11-01" }) });
    const byNumber = Object.fromEntries(
      sink.events().map((e) => [(e.record as { number: string }).number, e.record]),
    );
    expect(byNumber["4000001"]).toMatchObject({ supplierName: "Nordic Office Supply Ltd" });
    expect(byNumber["4000002"]).toMatchObject({ supplierName: "Acme Tools GmbH" });
    expect(byNumber["4000003"]).not.toHaveProperty("supplierName");
    expect(byNumber["4000004"]).not.toHaveProperty("supplierName");
    expect(fetched.sort()).toEqual(["S2", "S3", "S4"]);
    // The ERP's answer is cached: the next alert for S2 costs no ERP read.
    expect(await reference.getSupplier(scope.tenant, scope.company, "S2")).toMatchObject({
      name: "Acme Tools GmbH",
    });

    // A name learned later does not make an unchanged record look changed.
    await reference.store([supplier("S4", "Late Name AB")]);
    clock.set("2026-12-01T08:05:00Z");
    const again = await runPoll(deps, { schedule: poSchedule() });
    expect(again.status === "done" && again.counts).toMatchObject({ unchanged: 4, updated: 0 });
  });
});
