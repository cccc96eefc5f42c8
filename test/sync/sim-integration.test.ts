import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import type { InforClient } from "../../src/infor/create-client.ts";
import type { SourceWarning } from "../../src/infor/m3/column-catalog.ts";
import type { SyncDeps } from "../../src/sync/deps.ts";
import { type PollResult, runPoll } from "../../src/sync/poll.ts";
import type { SyncScheduleInput } from "../../src/sync/schedule.ts";
import { fileRedis, type RecordingSink } from "./helpers.ts";
import { startSimSync } from "./sim-sync.ts";

/**
 * The sync engine against the ION gateway simulator through the real Infor client (M3 source,
 * EXPORTMI paging): data changes between polls through the sim's control API.
 */
const counts = (r: PollResult) => (r.status === "skipped_busy" ? undefined : r.counts);

/**
 * Both simulator modes: open, and strict (a tenant that lacks optional columns and refuses the
 * service account EXPORTMI on CIDVEN, MPLIND and FAPIBL and EXPORTMI/LstFields), where the
 * client must detect columns by probing and read PO receipts through PPS200MI.
 */
describe.each([{ strict: false }, { strict: true }])(
  "sync against infor-sim (strict: $strict)",
  ({ strict }) => {
    const { redis, prefix } = fileRedis(`sync-sim-${strict ? "strict" : "open"}`);
    const warnings: SourceWarning[] = [];
    let sim: InforSim;
    let client: InforClient;
    let sink: RecordingSink;
    let deps: SyncDeps;
    let schedule: SyncScheduleInput;

    beforeAll(async () => {
      ({ sim, client, sink, deps } = await startSimSync(redis, prefix, strict, (w) =>
        warnings.push(w),
      ));
      schedule = {
        tenant: sim.tenant,
        company: "100",
        division: "AAA",
        entity: "purchase_order",
        everyMs: 60_000,
        pageSize: 25,
      };
    });

    afterAll(async () => {
      await client?.close();
      await sim?.close();
    });

    const numbers = () =>
      sink.events().map((e) => [e.kind, (e.record as { number: string }).number]);

    it("alerts exactly new and changed POs, none for unchanged ones, quarantining bad rows", async () => {
      const first = await runPoll(deps, { schedule });
      expect(first.status).toBe("primed");
      expect(sink.events()).toHaveLength(0);

      // A new PO with one line.
      sim.control.upsert("supplier", { SUNO: "SYNC001", SUNM: "Sync Test AB" });
      sim.control.upsert("po", { PUNO: "9900001", SUNO: "SYNC001", DIVI: "AAA" });
      sim.control.upsert("poLine", { PUNO: "9900001", PNLI: 10, ORQA: "5", PUPR: "12.5" });
      const second = await runPoll(deps, { schedule });
      expect(counts(second)).toMatchObject({ new: 1, updated: 0, quarantined: 0 });
      expect(numbers()).toEqual([["new", "9900001"]]);

      // Nothing changed: the overlap re-read is silent.
      const third = await runPoll(deps, { schedule });
      expect(counts(third)).toMatchObject({ new: 0, updated: 0 });
      expect(counts(third)?.unchanged).toBeGreaterThan(0);

      // A goods receipt on the line: one update naming the received quantity.
      sim.control.upsert("receipt", { PUNO: "9900001", PNLI: 10, RPQA: "2" });
      await runPoll(deps, { schedule });
      const update = sink.events().at(-1);
      expect(update?.kind).toBe("updated");
      expect(update?.changes.map((c) => c.path)).toContain("lines[10].receivedQty");

      // A PO with a currency code that is not ISO 4217 is quarantined; its neighbour still alerts.
      sim.control.upsert("po", { PUNO: "9900002", SUNO: "SYNC001", DIVI: "AAA", CUCD: "E1" });
      sim.control.upsert("poLine", { PUNO: "9900002", PNLI: 10, ORQA: "1", PUPR: "2" });
      sim.control.upsert("po", { PUNO: "9900003", SUNO: "SYNC001", DIVI: "AAA" });
      sim.control.upsert("poLine", { PUNO: "9900003", PNLI: 10, ORQA: "3", PUPR: "7" });
      const fifth = await runPoll(deps, { schedule });
      expect(counts(fifth)).toMatchObject({ new: 1, quarantined: 1 });
      expect(numbers().at(-1)).toEqual(["new", "9900003"]);
      expect(sink.quarantines).toHaveLength(1);
      expect(sink.quarantines[0]?.items[0]?.ref).toContain("9900002");
      expect(sink.duplicates).toBe(0);
    });

    it("quarantines a PO whose line price the ERP holds as text; its neighbour still alerts", async () => {
      sim.control.upsert("po", { PUNO: "9900020", SUNO: "SYNC001", DIVI: "AAA" });
      sim.control.upsert("poLine", { PUNO: "9900020", PNLI: 10, ORQA: "2", PUPR: "12,5O" });
      sim.control.upsert("po", { PUNO: "9900021", SUNO: "SYNC001", DIVI: "AAA" });
      sim.control.upsert("poLine", { PUNO: "9900021", PNLI: 10, ORQA: "2", PUPR: "12.50" });
      const quarantinedBefore = sink.quarantines.length;
      const r = await runPoll(deps, { schedule });
      expect(r.status).toBe("done");
      expect(counts(r)).toMatchObject({ new: 1 });
      expect(numbers().at(-1)).toEqual(["new", "9900021"]);
      // Reported once: PO 9900002 (bad currency, read again in the overlap) was reported before.
      const items = sink.quarantines.slice(quarantinedBefore).flatMap((q) => q.items);
      expect(items.map((i) => i.ref)).toEqual([expect.stringContaining("9900020")]);
      expect(sim.control.log().every((e) => e.status !== 500)).toBe(true);
    });

    it("a restart between read and watermark save: no duplicate, no gap", async () => {
      sim.control.advanceClock(86_400);
      sim.control.upsert("po", { PUNO: "9900010", SUNO: "SYNC001", DIVI: "AAA" });
      sim.control.upsert("poLine", { PUNO: "9900010", PNLI: 10, ORQA: "1", PUPR: "1" });
      const before = sink.delivered.size;
      const crashing: SyncDeps = {
        ...deps,
        hooks: {
          beforeWatermark: () => {
            throw new Error("killed");
          },
        },
      };
      await expect(runPoll(crashing, { schedule })).rejects.toThrow("killed");
      sim.control.upsert("po", { PUNO: "9900011", SUNO: "SYNC001", DIVI: "AAA" });
      sim.control.upsert("poLine", { PUNO: "9900011", PNLI: 10, ORQA: "1", PUPR: "1" });
      await runPoll(deps, { schedule });
      expect(sink.delivered.size - before).toBe(2);
      expect(sink.duplicates).toBe(0);
      expect(numbers().slice(-2)).toEqual([
        ["new", "9900010"],
        ["new", "9900011"],
      ]);
    });

    it(strict ? "warns once about what the tenant lacks" : "has nothing to warn about", () => {
      if (!strict) {
        expect(warnings).toEqual([]);
        return;
      }
      const byTable = new Map(warnings.map((w) => [w.table, w]));
      expect(byTable.get("MPHEAD")).toMatchObject({
        code: "m3_columns_dropped",
        columns: ["IACHID"],
      });
      expect(byTable.get("MPLIND")).toMatchObject({ code: "m3_exportmi_refused" });
      expect(warnings.filter((w) => w.table === "MPHEAD")).toHaveLength(1);
      // The receipts came through PPS200MI/LstReceiptsByPO, not EXPORTMI.
      const calls = sim.control.log().map((e) => e.path);
      expect(calls.some((p) => p.includes("PPS200MI/LstReceiptsByPO"))).toBe(true);
    });
  },
);
