import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import type { SupplierInvoice } from "../../src/infor/records.ts";
import { sim, simClient } from "./sim-helpers.ts";

/**
 * EXPORTMI reads one table per request, so a batch changed between its head read (FAPIBH) and
 * its line read (FAPIBL) comes back torn: old total, new lines. The chaos run saw such a change
 * told twice ("Line 1: amount …" and then "Total: …"). Here the change is made exactly in that
 * gap, and the record must come back whole: new head with new lines.
 */
let s: InforSim;
let client: ReturnType<typeof simClient>;
let between: (() => void) | undefined;

beforeAll(async () => {
  s = await sim();
  client = simClient(s);
  const execute = client.mi.execute.bind(client.mi);
  client.mi.execute = (program, transaction, inputs = {}, options = {}) => {
    if (program === "EXPORTMI" && / from FAPIBL /.test(String(inputs.QERY ?? ""))) {
      const change = between;
      between = undefined;
      change?.();
    }
    return execute(program, transaction, inputs, options);
  };
});

afterAll(async () => {
  await client.close();
  await s.close();
});

describe("an invoice batch changed between its head read and its line read", () => {
  it("comes back as one state of the batch, not old head with new lines", async () => {
    const supplier = s.control
      .data()
      .suppliers.find((x) => x.cono === 100 && x.stat === "20" && x.cucd === "EUR");
    if (!supplier) throw new Error("no EUR supplier in company 100");
    const { inbn } = s.control.upsert("invoice", {
      SUNO: supplier.suno,
      SINO: "TORN-1",
      CUAM: "745.45",
      DIVI: "AAA",
      AIT1: "4010",
    }) as { inbn: number };
    const today = new Date(s.control.advanceClock(0)).toISOString().slice(0, 10);
    between = () => s.control.upsert("invoice", { INBN: String(inbn), CUAM: "1645.50" });

    const src = createM3Source(client.mi, { tenant: s.tenant, company: "100", division: "AAA" });
    const found: SupplierInvoice[] = [];
    for await (const b of src.listChanged("supplier_invoice", today, { pageSize: 50 }))
      found.push(...(b.records as SupplierInvoice[]).filter((r) => r.invoiceNumber === "TORN-1"));

    expect(between).toBeUndefined(); // the change did happen inside the read
    expect(found).toHaveLength(1);
    const inv = found[0] as SupplierInvoice;
    expect(inv.total.amount).toBe("1645.5");
    expect(inv.lines.map((l) => l.amount.amount)).toEqual(["1645.5"]);
  });
});
