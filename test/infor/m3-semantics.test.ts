import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import type { PurchaseOrder, SupplierInvoice } from "../../src/infor/records.ts";
import type { InforSource } from "../../src/infor/source.ts";
import { findDuplicates } from "../../src/rules/duplicates.ts";
import { matchInvoice } from "../../src/rules/match-invoice.ts";
import { sim, simClient } from "./sim-helpers.ts";

/**
 * What M3 answers, read through the real M3 source against the sim: status codes, rejections,
 * price per N units. Each case failed on the old reading (see the test names).
 */

let s: InforSim;
let client: ReturnType<typeof simClient>;
let src: InforSource;
let supplier = "";

beforeAll(async () => {
  s = await sim();
  client = simClient(s);
  src = createM3Source(client.mi, { tenant: s.tenant, company: "100", division: "AAA" });
  const sup = s.control
    .data()
    .suppliers.find((x) => x.cono === 100 && x.stat === "20" && x.cucd === "EUR");
  if (!sup) throw new Error("no EUR supplier in company 100");
  supplier = sup.suno;
});

afterAll(async () => {
  await client.close();
  await s.close();
});

/** A new invoice batch (SUPA 10) of the test supplier; returns its batch number. */
function newInvoice(sino: string, cuam: string, extra: Record<string, string> = {}): number {
  const rec = s.control.upsert("invoice", { SUNO: supplier, SINO: sino, CUAM: cuam, ...extra });
  return (rec as { inbn: number }).inbn;
}

async function invoiceOf(number: string): Promise<SupplierInvoice> {
  const found = await src.findInvoice(supplier, number);
  expect(found.rejects).toEqual([]);
  const record = found.records[0];
  if (!record) throw new Error(`invoice ${number} not found`);
  return record;
}

async function poOf(number: string): Promise<PurchaseOrder> {
  const found = await src.getPurchaseOrder(number);
  const record = found.records[0];
  if (!record) throw new Error(`PO ${number} not found`);
  return record;
}

describe("M3 invoice status (APS450 SUPA) read from FAPIBH", () => {
  it.each([
    ["40", "approval", "Not approved"],
    ["50", "approved", "Approved"],
    // The old ranges read 78 and 79 (between 50 and 90) as approved.
    ["78", "entry", "Invoice matching recoding failed"],
    ["79", "entry", "Invoice matching failed"],
    ["90", "posted", "Updated in APL"],
  ])("SUPA %s → %s", async (supa, status, text) => {
    const sino = `ST-${supa}`;
    const inbn = newInvoice(sino, "100.00");
    s.control.upsert("invoice", { INBN: inbn, SUPA: supa });
    const inv = await invoiceOf(sino);
    expect(inv).toMatchObject({ status, statusCode: supa, statusText: text });
  });

  it("a batch with a rejection date and reason is rejected and no longer a duplicate", async () => {
    const inbn = newInvoice("REJ-1", "250.00");
    s.control.upsert("invoice", {
      INBN: inbn,
      SUPA: "40",
      REJD: "20261120",
      SCRE: "PR",
    });
    const rejected = await invoiceOf("REJ-1");
    // Old reading: REJD/SCRE were never selected, so the batch stayed "approval".
    expect(rejected.status).toBe("rejected");
    newInvoice("REJ 1", "250.00");
    const live = await invoiceOf("REJ 1");
    expect(live.status).toBe("entry");
    // Same supplier, same number once normalised, same amount: a duplicate only while live.
    expect(findDuplicates(live, [{ ...rejected, status: "approval" }], 30, undefined)).toHaveLength(
      1,
    );
    expect(findDuplicates(live, [rejected], 30, undefined)).toEqual([]);
  });
});

describe("batch types (IBTP)", () => {
  it("a recode batch (25) of a registered invoice is not its duplicate; a second supplier invoice (20) is", async () => {
    newInvoice("RC-1", "300.00");
    const original = await invoiceOf("RC-1");
    const recodeBatch = newInvoice("RC-1", "300.00", { IBTP: "25" });
    const second = newInvoice("RC-1", "300.00");
    const found = (await src.findInvoice(supplier, "RC-1")).records;
    const recode = found.find((i) => i.batchNumber === String(recodeBatch));
    const dup = found.find((i) => i.batchNumber === String(second));
    if (!recode || !dup) throw new Error("batches not found");
    expect(recode.recode).toBe(true);
    expect(findDuplicates(recode, [original], 30, undefined)).toEqual([]);
    expect(findDuplicates(dup, [original], 30, undefined).map((d) => d.rule)).toEqual([
      "duplicate_number",
    ]);
  });
});

describe("price per N units (PUCD) and price unit (PPUN) on PO and invoice lines", () => {
  it("125.00 per 100 EA invoiced at that price raises no price variance", async () => {
    const puno = "9100001";
    s.control.upsert("po", { PUNO: puno, SUNO: supplier });
    s.control.upsert("poLine", {
      PUNO: puno,
      PNLI: "10",
      ORQA: "500",
      PUPR: "125.00",
      PUCD: "100",
      PUUN: "EA",
      PPUN: "EA",
    });
    s.control.upsert("receipt", { PUNO: puno, PNLI: "10", RPQA: "500" });
    const inbn = newInvoice("PER100-1", "625.00", { PUNO: puno });
    s.control.upsert("invoiceLine", {
      INBN: inbn,
      TRNO: "1",
      RDTP: "1",
      PUNO: puno,
      PNLI: "10",
      IVQA: "500",
      PUUN: "EA",
      GRPR: "125.00",
      PUCD: "100",
      PPUN: "EA",
      NLAM: "625.00",
    });
    const invoice = await invoiceOf("PER100-1");
    expect(invoice.lines[0]).toMatchObject({ pricePer: "100", priceUnit: "EA", unit: "EA" });
    const po = await poOf(puno);
    expect(po.lines[0]).toMatchObject({ pricePer: "100", priceUnit: "EA" });
    const policy = { defaults: { price: { percent: "2" } } };
    const rules = matchInvoice({ invoice, purchaseOrders: [po] }, policy).map((e) => e.rule);
    // Old reading: PUCD was never selected on FAPIBL → "price_variance … (+9900.0 %)".
    expect(rules).not.toContain("price_variance");
    expect(rules).toEqual([]);
  });
});

describe("fields that were read but never selected", () => {
  it("a blocked accounting identity (FCHACC LCCD 1) is blocked", async () => {
    s.control.upsert("account", { AITP: "2", AITM: "CC-OLD", TX40: "Closed dept", LCCD: "1" });
    const records = [];
    for await (const b of src.listChanged("account", "2020-01-01", { pageSize: 500 }))
      records.push(...b.records);
    const old = records.find((r) => r.entity === "account" && r.id === "CC-OLD");
    // Old reading: LCCD was not selected, so every identity was "active".
    expect(old).toMatchObject({ status: "blocked" });
    expect(records.find((r) => r.entity === "account" && r.id !== "CC-OLD")).toMatchObject({
      status: "active",
    });
  });

  it("a period 13 closing entry keeps its GL period (FGLEDG CYP6), not the calendar month", async () => {
    s.control.upsert("voucher", {
      ACDT: "20261231",
      CYP6: "202613",
      VTXT: "Year-end closing",
      lines: [
        { AIT1: "4010", ACAM: "100.00" },
        { AIT1: "1930", ACAM: "-100.00" },
      ],
    });
    const found = await src.listGlLines("4010", "2026-12");
    const closing = found.records.find((v) => v.description === "Year-end closing");
    // Old reading: CYP6 was not selected, so the period was the month of ACDT (12).
    expect(closing).toMatchObject({ year: 2026, period: 13 });
  });
});

describe("paid: the AP ledger's view of an invoice batch (FPLEDG)", () => {
  it("a posted batch is paid once its FPLEDG payments cover it, and a payment alone brings it back", async () => {
    const inbn = newInvoice("PAY-1", "480.00");
    s.control.upsert("invoice", { INBN: inbn, SUPA: "90" });
    expect(await invoiceOf("PAY-1")).toMatchObject({ status: "posted", batchNumber: String(inbn) });
    s.control.advanceClock(86_400);
    const payDay = s.control.data().invoices.find((i) => i.inbn === inbn);
    s.control.upsert("payment", { INBN: inbn });
    const head = s.control.data().invoices.find((i) => i.inbn === inbn);
    // The payment is booked in the ledger only: the batch head did not change.
    expect(head?.lmdt).toBe(payDay?.lmdt);
    // Old reading: the FPLEDG-based status was never used, so an M3 invoice was never paid.
    expect(await invoiceOf("PAY-1")).toMatchObject({ status: "paid", batchNumber: String(inbn) });
    const today = new Date(s.control.advanceClock(0)).toISOString().slice(0, 10);
    const changed: SupplierInvoice[] = [];
    for await (const b of src.listChanged("supplier_invoice", today, { pageSize: 50 }))
      changed.push(...(b.records as SupplierInvoice[]));
    expect(changed.map((r) => [r.batchNumber, r.status])).toContainEqual([String(inbn), "paid"]);
  });
});

describe("cost center: the company's dimension, batch lines, then the posted voucher (FGLEDG)", () => {
  async function invoicesOf(options: Parameters<typeof sim>[0], dimension?: number) {
    const other = await sim({ seed: 11, ...options });
    const c = simClient(other);
    try {
      const source = createM3Source(c.mi, {
        tenant: other.tenant,
        company: "100",
        division: "AAA",
        ...(dimension ? { costCenterDimension: dimension } : {}),
      });
      const out: SupplierInvoice[] = [];
      for await (const b of source.listChanged("supplier_invoice", "2020-01-01", { pageSize: 100 }))
        out.push(...(b.records as SupplierInvoice[]));
      const poMatched = out.filter((i) => i.lines.some((l) => l.poNumber));
      return {
        posted: poMatched.filter((i) => i.status === "posted" || i.status === "paid"),
        open: poMatched.filter((i) => i.status !== "posted" && i.status !== "paid"),
      };
    } finally {
      await c.close();
      await other.close();
    }
  }

  it("tenant codes PO-matched batch lines: the lines' cost center", async () => {
    const { posted, open } = await invoicesOf({});
    expect(posted.length).toBeGreaterThan(0);
    for (const i of [...posted, ...open]) expect(i.costCenter).toMatch(/^CC\d+$/);
    for (const i of [...posted, ...open]) expect(i.lines[0]?.costCenter).toBe(i.costCenter);
  });

  it("tenant leaves batch lines uncoded: posted invoices take the voucher's GL coding, others none", async () => {
    const { posted, open } = await invoicesOf({ m3InvoiceLineDimensions: false });
    expect(posted.length).toBeGreaterThan(0);
    expect(open.length).toBeGreaterThan(0);
    // Old reading: only FAPIBL AIT2 was used, so these had no cost center at all.
    for (const i of posted) expect(i.costCenter).toMatch(/^CC\d+$/);
    for (const i of open) expect(i.costCenter).toBeUndefined();
  });

  it("a company whose cost center is dimension 3 reads AIT3, not AIT2", async () => {
    const { posted } = await invoicesOf({}, 3);
    for (const i of posted) expect(i.costCenter).toBeUndefined(); // the sim codes AIT2 only
  });
});
