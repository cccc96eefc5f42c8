import { describe, expect, it } from "vitest";
import { parseMiV2 } from "../../src/infor/m3/mi-parse.ts";
import type { MapOutcome, Row } from "../../src/infor/mapping/fields.ts";
import {
  mapIdoLedger,
  mapIdoPurchaseOrder,
  mapIdoVendor,
  mapIdoVoucher,
} from "../../src/infor/mapping/ido-mappers.ts";
import {
  mapM3Account,
  mapM3GlVoucher,
  mapM3InvoiceBatch,
  mapM3LedgerInvoice,
  mapM3Payment,
  mapM3PurchaseOrder,
  mapM3Supplier,
} from "../../src/infor/mapping/m3-mappers.ts";
import { codeOf } from "../../src/shared/error-code.ts";
import * as rows from "./fuzz/erp-rows.ts";
import { createRng, fuzzSeed, type Rng } from "./fuzz/random.ts";

/**
 * Malformed ERP records through every M3 and SyteLine mapper: each comes back as a record or as a
 * quarantine-shaped failure (entity, id, a reason naming the field, issues), never a throw, so
 * one bad row cannot stop a batch (DESIGN.md: "a malformed ERP record is quarantined … the rest
 * of the batch goes on").
 */
const SEED = fuzzSeed(777);
const PER_MAPPER = 500;
const ctx = { tenant: "ACME_TST", company: "100", division: "AAA", localCurrency: "EUR" };

type Case = { name: string; run: (rng: Rng) => MapOutcome };
const m = rows.maybeMutate;
const many = (rng: Rng, base: Row, n: number) =>
  Array.from({ length: rng.int(0, n) }, () => m(rng, base, 0.5));

const cases: Case[] = [
  { name: "m3 supplier", run: (r) => mapM3Supplier(ctx, m(r, rows.M3_SUPPLIER, 0.8)) },
  { name: "m3 account", run: (r) => mapM3Account(ctx, m(r, rows.M3_ACCOUNT, 0.8)) },
  {
    name: "m3 purchase order",
    run: (r) =>
      mapM3PurchaseOrder(
        ctx,
        m(r, rows.M3_PO_HEAD, 0.6),
        many(r, rows.M3_PO_LINE, 3),
        many(r, rows.M3_RECEIPT, 3),
      ),
  },
  {
    name: "m3 invoice batch",
    run: (r) =>
      mapM3InvoiceBatch(ctx, m(r, rows.M3_INVOICE_HEAD, 0.6), many(r, rows.M3_INVOICE_LINE, 3)),
  },
  { name: "m3 ledger invoice", run: (r) => mapM3LedgerInvoice(ctx, m(r, rows.M3_LEDGER, 0.8)) },
  { name: "m3 payment", run: (r) => mapM3Payment(ctx, m(r, rows.M3_LEDGER, 0.8)) },
  { name: "m3 gl voucher", run: (r) => mapM3GlVoucher(ctx, many(r, rows.M3_GL_LINE, 4)) },
  { name: "ido vendor", run: (r) => mapIdoVendor(ctx, m(r, rows.IDO_VENDOR, 0.8)) },
  {
    name: "ido purchase order",
    run: (r) => mapIdoPurchaseOrder(ctx, m(r, rows.IDO_PO, 0.6), many(r, rows.IDO_PO_ITEM, 3)),
  },
  { name: "ido voucher", run: (r) => mapIdoVoucher(ctx, m(r, rows.IDO_VOUCHER, 0.8)) },
  { name: "ido ledger", run: (r) => mapIdoLedger(ctx, m(r, rows.IDO_LEDGER, 0.8)) },
];

function quarantineShapeProblem(o: MapOutcome): string | undefined {
  if (o.ok) return typeof o.record === "object" ? undefined : "record is not an object";
  const f = o.failure;
  if (typeof f.entity !== "string" || typeof f.id !== "string") return "no entity or id";
  if (typeof f.reason !== "string" || f.reason.length === 0) return "no reason";
  if (!Array.isArray(f.issues) || f.issues.length === 0) return "no issues";
  if (f.issues.some((i) => typeof i.path !== "string" || typeof i.message !== "string")) {
    return "issue without path or message";
  }
  if (/\n\s+at\s/.test(f.reason)) return "stack trace in reason";
  return undefined;
}

describe(`ERP record fuzz (seed ${SEED}; rerun with FUZZ_SEED=${SEED})`, () => {
  it(`maps ${PER_MAPPER} fuzzed rows per mapper to a record or a quarantine failure`, () => {
    const rng = createRng(SEED);
    const counts: Record<string, { record: number; quarantine: number }> = {};
    const problems: string[] = [];
    for (const c of cases) {
      const tally = { record: 0, quarantine: 0 };
      for (let i = 0; i < PER_MAPPER; i++) {
        let o: MapOutcome;
        try {
          o = c.run(rng);
        } catch (err) {
          problems.push(`${c.name} #${i} threw ${(err as Error).name}: ${(err as Error).message}`);
          continue;
        }
        const problem = quarantineShapeProblem(o);
        if (problem) problems.push(`${c.name} #${i}: ${problem}`);
        if (o.ok) tally.record += 1;
        else tally.quarantine += 1;
      }
      counts[c.name] = tally;
    }
    if (problems.length > 0) {
      throw new Error(
        `seed ${SEED}: ${problems.length} problems\n${problems.slice(0, 20).join("\n")}`,
      );
    }
    for (const [name, t] of Object.entries(counts)) {
      expect(t.record + t.quarantine, name).toBe(PER_MAPPER);
      // Both outcomes reached for every mapper, else the fuzz proves nothing about it.
      expect(t.quarantine, `${name} quarantined, seed ${SEED}`).toBeGreaterThan(0);
      expect(t.record, `${name} mapped, seed ${SEED}`).toBeGreaterThan(0);
    }
  });

  it("turns M3 replies with wrong-typed values into string rows or a coded error", () => {
    const rng = createRng(SEED + 1);
    const weird = [null, 12.5, -0, true, { a: 1 }, ["x"], "", "\u0000", 1e308];
    const outcomes = { rows: 0, codedError: 0 };
    for (let i = 0; i < 300; i++) {
      const record: Record<string, unknown> = { ...rows.M3_SUPPLIER };
      for (const k of Object.keys(record)) if (rng.chance(0.3)) record[k] = rng.pick(weird);
      const body = rng.chance(0.1)
        ? rng.pick(['{"results":', '{"results":[{"records":5}]}', "[]", "null"])
        : JSON.stringify({ results: [{ transaction: "LstSuppliers", records: [record] }] });
      let parsed: ReturnType<typeof parseMiV2>;
      try {
        parsed = parseMiV2(
          {
            status: 200,
            headers: { "content-type": "application/json" },
            text: body,
            requestId: `r${i}`,
            url: "http://127.0.0.1/x",
          },
          "CRS620MI",
          "LstSuppliers",
        );
      } catch (err) {
        expect(codeOf(err), String(err)).toEqual(expect.any(String));
        outcomes.codedError += 1;
        continue;
      }
      for (const row of parsed.records) {
        for (const v of Object.values(row)) expect(typeof v).toBe("string");
        expect(quarantineShapeProblem(mapM3Supplier(ctx, row))).toBeUndefined();
        outcomes.rows += 1;
      }
    }
    expect(outcomes.rows).toBeGreaterThan(0);
    expect(outcomes.codedError).toBeGreaterThan(0);
  });
});
