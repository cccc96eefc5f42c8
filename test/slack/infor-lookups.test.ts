import { describe, expect, it } from "vitest";
import type { InforSource, Lookup } from "../../src/infor/source.ts";
import { lookupsFromSource } from "../../src/slack/infor-lookups.ts";
import { invoice, purchaseOrder, suppliers } from "./helpers/fixtures.ts";

const of = <T>(records: T[]): Lookup<T> => ({ records, rejects: [] });

function record<T>(calls: string[], call: string, result: T): T {
  calls.push(call);
  return result;
}

function source(calls: string[]): InforSource {
  return {
    kind: "m3",
    tenant: "ACME_TST",
    company: "100",
    division: "AAA",
    supports: () => true,
    listChanged: () => ({ async *[Symbol.asyncIterator]() {} }),
    getSupplier: async (id) =>
      record(calls, `getSupplier:${id}`, of(suppliers.filter((s) => s.id === id))),
    searchSuppliers: async (text, limit) =>
      record(calls, `searchSuppliers:${text}:${limit}`, of(suppliers.slice(0, 2))),
    getPurchaseOrder: async (n) => record(calls, `getPurchaseOrder:${n}`, of([purchaseOrder])),
    findInvoice: async (supplier, n) =>
      record(calls, `findInvoice:${supplier}:${n}`, of([invoice(n)])),
    listPayments: async (q) => record(calls, `listPayments:${JSON.stringify(q)}`, of([])),
    listGlLines: async (a, p) => record(calls, `listGlLines:${a}:${p}`, of([])),
  };
}

describe("lookupsFromSource", () => {
  it("maps each lookup onto the source facade", async () => {
    const calls: string[] = [];
    const l = lookupsFromSource(source(calls), { clock: () => Date.parse("2026-12-01T10:00:00Z") });
    expect((await l.getPurchaseOrder("4500012345"))?.number).toBe("4500012345");
    expect(await l.findInvoices({ number: "INV-1", supplier: "10023" })).toHaveLength(1);
    expect(await l.searchSuppliers({ text: "99999", byId: true })).toHaveLength(2); // falls back to search
    await l.findPayments("INV-1");
    await l.glPostings("4010");
    await l.glPostings("4010", { year: 2026, period: 3 });
    expect(calls).toEqual([
      "getPurchaseOrder:4500012345",
      "findInvoice:10023:INV-1",
      "getSupplier:99999",
      "searchSuppliers:99999:9",
      'listPayments:{"invoiceNumber":"INV-1","limit":10}',
      // …and by the payment's own reference, since people type either.
      'listPayments:{"reference":"INV-1","limit":10}',
      "listGlLines:4010:2026-12",
      "listGlLines:4010:2026-03",
    ]);
  });
});

describe("supplier names in lookups", () => {
  it("names the supplier on PO and invoice answers from the reference data, not just its id", async () => {
    const calls: string[] = [];
    const { supplierName: _po, ...barePo } = purchaseOrder;
    const { supplierName: _inv, ...bareInvoice } = invoice("INV-1");
    const asked: string[] = [];
    const l = lookupsFromSource(
      {
        ...source(calls),
        getPurchaseOrder: async () => of([barePo]),
        findInvoice: async () => of([bareInvoice]),
      },
      {
        supplierNames: async (_scope, ids) => {
          asked.push(...ids);
          return new Map(ids.map((id) => [id, "Nordic Office Supply Ltd"]));
        },
      },
    );
    expect((await l.getPurchaseOrder("4500012345"))?.supplierName).toBe("Nordic Office Supply Ltd");
    const [inv] = await l.findInvoices({ number: "INV-1" });
    expect(inv?.supplierName).toBe("Nordic Office Supply Ltd");
    expect(asked).toEqual([barePo.supplierId, bareInvoice.supplierId]);
  });
});
