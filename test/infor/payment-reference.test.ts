import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { createM3Source, paymentReferencePredicates } from "../../src/infor/m3-source.ts";
import { sim, simClient } from "./sim-helpers.ts";

let s: InforSim;
let client: ReturnType<typeof simClient>;
beforeAll(async () => {
  s = await sim();
  client = simClient(s);
});
afterAll(async () => {
  await client.close();
  await s.close();
});

describe("payments by their own reference", () => {
  it("parses ledger keys and vouchers, and refuses free text", () => {
    expect(paymentReferencePredicates("2026-123-4")).toEqual([
      { col: "YEA4", op: "=", value: 2026 },
      { col: "JRNO", op: "=", value: 123 },
      { col: "JSNO", op: "=", value: 4 },
    ]);
    expect(paymentReferencePredicates("AP-1234")).toEqual([
      { col: "VSER", op: "=", value: "AP" },
      { col: "VONO", op: "=", value: 1234 },
    ]);
    expect(paymentReferencePredicates("' or 1=1")).toBeUndefined();
  });

  it("finds the payment a listing showed, by that payment's reference", async () => {
    const source = createM3Source(client.mi, { tenant: s.tenant, company: "100", division: "AAA" });
    const listed = (await source.listPayments({ limit: 3 })).records;
    expect(listed.length).toBeGreaterThan(0);
    for (const payment of listed) {
      const found = (await source.listPayments({ reference: payment.reference })).records;
      expect(found.map((p) => p.reference)).toContain(payment.reference);
      expect(found.every((p) => p.reference === payment.reference)).toBe(true);
    }
    expect((await source.listPayments({ reference: "no such ref" })).records).toEqual([]);
  });
});
