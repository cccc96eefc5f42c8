import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import type { SupplierInvoice } from "../../src/infor/records.ts";
import { sim, simClient } from "./sim-helpers.ts";

/**
 * An import's pages each need the payments of their posted invoices: a page's FPLEDG read
 * covers the next pages with the same suppliers and dates, so they read none, and every
 * invoice comes out as paid or not exactly as when read in one page.
 */
let s: InforSim;
let client: ReturnType<typeof simClient>;
const queries: string[] = [];
/** Rows (REPL) the window reads brought, one entry per time read. */
const windowRows: string[] = [];

beforeAll(async () => {
  s = await sim({ seed: 3, data: { suppliersPerCompany: 3, invoices: 120, purchaseOrders: 20 } });
  client = simClient(s);
  const execute = client.mi.execute.bind(client.mi);
  client.mi.execute = (program, transaction, inputs = {}, options = {}) => {
    const q = String(inputs.QERY ?? "");
    if (program === "EXPORTMI") queries.push(q);
    return execute(program, transaction, inputs, options).then((r) => {
      if (/ from FPLEDG where .*ACDT/.test(q))
        for (const row of r.records)
          if (!/EPCONO/.test(row.REPL ?? "")) windowRows.push(row.REPL ?? "");
      return r;
    });
  };
});

afterAll(async () => {
  await client.close();
  await s.close();
});

async function statuses(pageSize: number) {
  const src = createM3Source(client.mi, { tenant: s.tenant, company: "100", division: "AAA" });
  queries.length = 0;
  windowRows.length = 0;
  const out = new Map<string, string>();
  for await (const b of src.listChanged("supplier_invoice", "2020-01-01", { pageSize }))
    for (const r of b.records as SupplierInvoice[]) out.set(String(r.batchNumber), r.status);
  const payments = queries.filter((q) => / from FPLEDG where .*TRCD = 50/.test(q)).length;
  return { out, payments };
}

describe("payments of an import's pages", () => {
  it("are read once for pages the first read covers, with the same paid statuses", async () => {
    const one = await statuses(1000);
    const paged = await statuses(10);
    expect(one.out.size).toBeGreaterThan(40);
    expect([...one.out.values()]).toContain("paid");
    expect(paged.out).toEqual(one.out);
    const pages = Math.ceil(one.out.size / 10);
    // One read per page was the old cost; pages whose suppliers and dates the window covers add
    // none (here later pages hold older invoices, so the window grows a few times).
    expect(paged.payments).toBeLessThan(pages);
  });

  it("grow by what the window lacks: no payment is read twice", async () => {
    const paged = await statuses(10);
    expect(paged.payments).toBeGreaterThan(1); // the window did grow
    expect(windowRows.length).toBeGreaterThan(0);
    expect(new Set(windowRows).size).toBe(windowRows.length);
  });
});
