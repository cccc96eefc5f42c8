import { describe, expect, it } from "vitest";
import { parseRecord } from "../../src/infor/records.ts";

const payment = (paymentDate: string) => ({
  entity: "payment",
  tenant: "ACME_TST",
  company: "100",
  division: "AAA",
  source: "m3",
  changedAt: "2026-11-30",
  supplierId: "S1001",
  reference: "2026-1-1",
  paymentDate,
  amount: { amount: "10.00", currency: "EUR" },
});

describe("canonical record dates", () => {
  it.each(["2026-11-30", "2024-02-29", "2026-12-31"])("%s is a date", (d) => {
    expect(parseRecord(payment(d)).ok).toBe(true);
  });

  it.each(["2026-13-01", "2026-02-29", "2026-11-31", "2026-00-10", "2026-13-99"])(
    "%s is quarantined with the field named",
    (d) => {
      const r = parseRecord(payment(d));
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.reason).toBe("paymentDate: not a calendar date");
    },
  );
});
