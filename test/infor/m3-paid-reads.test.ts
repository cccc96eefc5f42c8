import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import type { SupplierInvoice } from "../../src/infor/records.ts";
import { sim, simClient } from "./sim-helpers.ts";

/**
 * Batches brought back by their payments (FPLEDG TRCD 50) are read per supplier, not per
 * payment: a payment run over many invoices of one supplier costs one FAPIBH read. Every batch
 * with a paid supplier invoice number still comes back, also one whose head did not change.
 */
let s: InforSim;
let client: ReturnType<typeof simClient>;
const queries: string[] = [];

beforeAll(async () => {
  s = await sim();
  client = simClient(s);
  const execute = client.mi.execute.bind(client.mi);
  client.mi.execute = (program, transaction, inputs = {}, options = {}) => {
    if (program === "EXPORTMI") queries.push(String(inputs.QERY ?? ""));
    return execute(program, transaction, inputs, options);
  };
});

afterAll(async () => {
  await client.close();
  await s.close();
});

describe("batches paid since the watermark", () => {
  it("are read with one FAPIBH read per supplier, and every batch of a paid number comes back", async () => {
    const supplier = s.control
      .data()
      .suppliers.find((x) => x.cono === 100 && x.stat === "20" && x.cucd === "EUR");
    if (!supplier) throw new Error("no EUR supplier in company 100");
    const upsert = (sino: string) =>
      (
        s.control.upsert("invoice", {
          SUNO: supplier.suno,
          SINO: sino,
          CUAM: "100.00",
          DIVI: "AAA",
        }) as { inbn: number }
      ).inbn;
    const paid = ["RUN-1", "RUN-2", "RUN-3", "RUN-4"].map(upsert);
    // A second batch with RUN-1's number, never paid itself.
    const twin = upsert("RUN-1");
    for (const inbn of [...paid, twin]) s.control.upsert("invoice", { INBN: inbn, SUPA: "90" });
    s.control.advanceClock(86_400);
    for (const inbn of paid) s.control.upsert("payment", { INBN: inbn });
    const today = new Date(s.control.advanceClock(0)).toISOString().slice(0, 10);

    const src = createM3Source(client.mi, { tenant: s.tenant, company: "100", division: "AAA" });
    queries.length = 0;
    const changed: SupplierInvoice[] = [];
    for await (const b of src.listChanged("supplier_invoice", today, { pageSize: 50 }))
      changed.push(...(b.records as SupplierInvoice[]));

    const byBatch = new Map(changed.map((r) => [r.batchNumber, r.status]));
    for (const inbn of paid) expect(byBatch.get(String(inbn))).toBe("paid");
    expect(byBatch.has(String(twin))).toBe(true);
    // Old reading: one FAPIBH read per paid (supplier, number), four here.
    const perSupplier = queries.filter((q) => / from FAPIBH where .*SUNO = /.test(q));
    expect(perSupplier).toHaveLength(1);

    // From the day the batches were entered: the head pass reads every one of them with its
    // payments, so the paid pass names nothing new and reads no FAPIBH per supplier.
    const entered = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000)
      .toISOString()
      .slice(0, 10);
    queries.length = 0;
    const again = new Map<string, string>();
    for await (const b of src.listChanged("supplier_invoice", entered, { pageSize: 50 }))
      for (const r of b.records as SupplierInvoice[]) again.set(String(r.batchNumber), r.status);
    for (const inbn of paid) expect(again.get(String(inbn))).toBe("paid");
    expect(again.has(String(twin))).toBe(true);
    expect(queries.filter((q) => / from FAPIBH where .*SUNO = /.test(q))).toHaveLength(0);
  });
});
