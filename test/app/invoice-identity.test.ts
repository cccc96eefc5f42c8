import pino from "pino";
import { describe, expect, it } from "vitest";
import { invoiceOf, invoiceRecheck } from "../../src/app/approvals.ts";
import type { Approval } from "../../src/approvals/types.ts";
import { recordKey, type SupplierInvoice, supplierInvoiceSchema } from "../../src/infor/records.ts";
import type { InforSource } from "../../src/infor/source.ts";

/** An M3 invoice is its batch (company + division + INBN); the approval recheck reads that batch. */
function m3Invoice(batch: string, status = "approval"): SupplierInvoice {
  return supplierInvoiceSchema.parse({
    entity: "supplier_invoice",
    tenant: "T",
    company: "100",
    division: "AAA",
    source: "m3",
    changedAt: "2026-11-30",
    supplierId: "S1",
    invoiceNumber: "INV-1",
    batchNumber: batch,
    invoiceDate: "2026-11-20",
    status,
    total: { amount: "10.00", currency: "EUR" },
  });
}

describe("M3 invoice identity", () => {
  it("two batches with one supplier invoice number have two keys; other sources keep supplier/number", () => {
    expect(recordKey(m3Invoice("1000023"))).toBe("supplier_invoice:T:100:AAA:1000023");
    expect(recordKey(m3Invoice("1000024"))).not.toBe(recordKey(m3Invoice("1000023")));
    const syteline = { ...m3Invoice("1000023"), source: "syteline" as const };
    expect(recordKey(syteline)).toBe("supplier_invoice:T:100:AAA:S1/INV-1");
  });

  it("the approval recheck reads a batch key through getInvoiceBatch", async () => {
    expect(invoiceOf("supplier_invoice:T:100:AAA:1000023")).toEqual({
      scope: { tenant: "T", company: "100", division: "AAA" },
      batchNumber: "1000023",
    });
    const asked: string[] = [];
    const source = {
      findInvoice: async () => {
        throw new Error("not by number");
      },
      getInvoiceBatch: async (batch: string) => {
        asked.push(batch);
        return { records: [m3Invoice(batch, "paid")], rejects: [] };
      },
    } as Partial<InforSource> as InforSource;
    const recheck = invoiceRecheck(() => source, pino({ level: "silent" }));
    const approval = { recordKey: "supplier_invoice:T:100:AAA:1000023" } as Approval;
    expect(await recheck(approval)).toEqual({ changed: true, status: "paid" });
    expect(asked).toEqual(["1000023"]);
  });
});
