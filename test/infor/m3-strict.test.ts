import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STRICT_ACCESS } from "../../sandbox/infor-sim/m3/access.ts";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import type { SourceWarning } from "../../src/infor/m3/column-catalog.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import { type Entity, recordKey } from "../../src/infor/records.ts";
import type { InforSource } from "../../src/infor/source.ts";
import { sim, simClient } from "./sim-helpers.ts";

/**
 * The M3 source against the same data served openly and by a strict tenant (optional columns
 * missing; CIDVEN, MPLIND, FAPIBL refused to EXPORTMI; LstFields refused): every entity reads
 * without rejects, and what the MI list fallbacks return matches the EXPORTMI read.
 */
let open: InforSim;
let strict: InforSim;
const clients: Array<ReturnType<typeof simClient>> = [];

beforeAll(async () => {
  open = await sim({
    seed: 5,
    data: { suppliersPerCompany: 15, purchaseOrders: 30, invoices: 60 },
  });
  strict = await sim({
    seed: 5,
    data: { suppliersPerCompany: 15, purchaseOrders: 30, invoices: 60 },
    strict: true,
  });
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await open?.close();
  await strict?.close();
});

function source(s: InforSim, warnings: SourceWarning[] = []): InforSource {
  const client = simClient(s);
  clients.push(client);
  return createM3Source(client.mi, {
    tenant: s.tenant,
    company: "100",
    division: "AAA",
    onWarning: (w) => warnings.push(w),
  });
}

async function read(src: InforSource, entity: Entity) {
  const out = new Map<string, Record<string, unknown>>();
  let rejects = 0;
  for await (const b of src.listChanged(entity, "2020-01-01", { pageSize: 7 })) {
    for (const r of b.records) out.set(recordKey(r), r as unknown as Record<string, unknown>);
    rejects += b.rejects.length;
  }
  return { out, rejects };
}

describe("M3 source on a strict tenant", () => {
  it("reads every entity without rejects; the fallbacks give what EXPORTMI gives", async () => {
    const warnings: SourceWarning[] = [];
    const o = source(open);
    const s = source(strict, warnings);
    for (const entity of [
      "supplier",
      "purchase_order",
      "supplier_invoice",
      "gl_voucher",
    ] as const) {
      const a = await read(o, entity);
      const b = await read(s, entity);
      expect(b.rejects, entity).toBe(0);
      expect([...b.out.keys()].sort(), entity).toEqual([...a.out.keys()].sort());
      for (const [k, rec] of a.out) {
        const other = b.out.get(k) ?? {};
        if (entity === "supplier") {
          // CIDVEN came through CRS620MI/LstSuppliers.
          expect(other.currency, k).toEqual(rec.currency);
          expect(other.paymentTerms, k).toEqual(rec.paymentTerms);
        } else if (entity === "purchase_order" || entity === "supplier_invoice") {
          // Receipts (PPS200MI/LstReceiptsByPO) and invoice lines (APS450MI/LstLines). LstLines
          // returns no accounting dimensions (AIT1-AIT7): account and cost center are lost, and
          // MPLINE's item name PITD is one of the strict tenant's missing columns. LstLines may
          // return more than the FAPIBL columns we select: compare what EXPORTMI gave.
          const lost = new Set(["account", "costCenter", "description"]);
          const got = (other.lines as Array<Record<string, unknown>>) ?? [];
          const want = (rec.lines as Array<Record<string, unknown>>) ?? [];
          expect(got.length, k).toBe(want.length);
          want.forEach((line, i) => {
            for (const [field, value] of Object.entries(line)) {
              if (value !== undefined && !lost.has(field)) {
                expect(got[i]?.[field], `${k} line ${i} ${field}`).toEqual(value);
              }
            }
          });
        }
      }
    }
    const tables = warnings.map((w) => `${w.code}:${w.table}:${w.columns.join(",")}`).sort();
    expect(tables).toEqual([
      "m3_columns_dropped:CIDMAS:IDVRNO,IDCHID",
      "m3_columns_dropped:FAPIBH:E5CHID",
      "m3_columns_dropped:FGLEDG:EGAIT6,EGAIT7",
      "m3_columns_dropped:MPHEAD:IACHID",
      "m3_columns_dropped:MPLINE:IBPITD",
      "m3_exportmi_refused:CIDVEN:",
      "m3_exportmi_refused:FAPIBL:",
      "m3_exportmi_refused:MPLIND:",
    ]);
  }, 60_000);

  it("GL and accounts refused to EXPORTMI are read through GLS200MI and CRS630MI", async () => {
    strict.control.configure({
      m3Access: {
        missingColumns: [],
        refusedTables: ["FGLEDG", "FCHACC"],
        refusedTransactions: [],
      },
    });
    try {
      const warnings: SourceWarning[] = [];
      for (const entity of ["gl_voucher", "account"] as const) {
        const a = await read(source(open), entity);
        const b = await read(source(strict, warnings), entity);
        expect(b.rejects, entity).toBe(0);
        expect(b.out.size, entity).toBeGreaterThan(0);
        expect([...b.out.keys()].sort(), entity).toEqual([...a.out.keys()].sort());
        for (const [k, rec] of a.out) expect(b.out.get(k), k).toEqual(rec);
      }
      expect(warnings.map((w) => w.table).sort()).toEqual(["FCHACC", "FGLEDG"]);
      const paths = strict.control.log().map((e) => e.path);
      expect(paths.some((p) => p.includes("GLS200MI/LstVouchersByDt"))).toBe(true);
      expect(paths.some((p) => p.includes("CRS630MI/LstAccountID"))).toBe(true);
    } finally {
      strict.control.configure({ m3Access: STRICT_ACCESS });
    }
  }, 60_000);

  it("detection and fallbacks work the same over MI REST v1", async () => {
    const v1 = simClient(strict, { miVersion: "v1" });
    clients.push(v1);
    const warnings: SourceWarning[] = [];
    const src = createM3Source(v1.mi, {
      tenant: strict.tenant,
      company: "100",
      division: "AAA",
      onWarning: (w) => warnings.push(w),
    });
    const a = await read(source(open), "purchase_order");
    const b = await read(src, "purchase_order");
    expect(b.rejects).toBe(0);
    expect([...b.out.keys()].sort()).toEqual([...a.out.keys()].sort());
    expect(warnings.map((w) => `${w.code}:${w.table}`).sort()).toEqual([
      "m3_columns_dropped:MPHEAD",
      "m3_columns_dropped:MPLINE",
      "m3_exportmi_refused:MPLIND",
    ]);
  });

  it("EXPORTMI runs on the blank division, as Infor requires for DIVI filters", async () => {
    const blank = await read(source(strict), "supplier_invoice");
    expect(blank.out.size).toBeGreaterThan(0);
    // The session's own division (what the client sent before): the strict tenant refuses.
    const client = simClient(strict);
    clients.push(client);
    const onDivision = createM3Source(client.mi, {
      tenant: strict.tenant,
      company: "100",
      division: "AAA",
      exportDivision: "default",
    });
    const err = await read(onDivision, "supplier_invoice").catch((e: unknown) => e);
    expect((err as Error).message).toContain("needs a session on the blank division");
  });

  it("a read that fails after detection detects again and retries once", async () => {
    const warnings: SourceWarning[] = [];
    const s = source(open, warnings);
    expect((await read(s, "supplier")).rejects).toBe(0);
    // The tenant loses a column after the detection was cached.
    open.control.configure({
      m3Access: { missingColumns: ["IDCSCD"], refusedTables: [], refusedTransactions: [] },
    });
    try {
      const again = await read(s, "supplier");
      expect(again.out.size).toBeGreaterThan(0);
      expect(warnings.map((w) => w.columns)).toEqual([["IDCSCD"]]);
    } finally {
      open.control.configure({
        m3Access: { missingColumns: [], refusedTables: [], refusedTransactions: [] },
      });
    }
  });

  it("a missing required column fails the entity naming the column", async () => {
    strict.control.configure({
      m3Access: { missingColumns: ["IASUNO"], refusedTables: [], refusedTransactions: [] },
    });
    try {
      const err = await read(source(strict), "purchase_order").catch((e: unknown) => e);
      expect((err as Error).message).toContain("M3 table MPHEAD lacks required column IASUNO");
    } finally {
      strict.control.configure({ m3Access: STRICT_ACCESS });
    }
  });
});
