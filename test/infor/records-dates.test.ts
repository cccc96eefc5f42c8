import { describe, expect, it } from "vitest";
import { type CanonicalRecord, parseRecord } from "../../src/infor/records.ts";

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

describe("canonical record dates, read without Date", () => {
  /** The Date round trip the character check replaced (Date.UTC reads years 0-99 as 19xx). */
  function viaDate(text: string): boolean {
    const [y, m, d] = text.split("-").map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }

  it("accepts and refuses every day of four years as the Date round trip did", () => {
    const texts: string[] = [];
    for (const y of [1900, 2000, 2024, 2026, 2100, 99, 100, 0, 9999]) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const p = (n: number, w: number) => String(n).padStart(w, "0");
          texts.push(`${p(y, 4)}-${p(m, 2)}-${p(d, 2)}`);
        }
      }
    }
    for (const t of texts) {
      const r = parseRecord(payment(t));
      expect(r.ok, t).toBe(viaDate(t));
      if (!r.ok) expect(r.reason, t).toBe("paymentDate: not a calendar date");
    }
  });

  it.each([
    "2026-1-01",
    "26-11-30",
    "2026/11/30",
    "2026-11-30T00:00",
    " 2026-11-30",
    "2026-1a-30",
    "",
  ])("%j is refused for its shape only", (d) => {
    const r = parseRecord(payment(d));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe("paymentDate: expected an ISO date YYYY-MM-DD");
  });
});

describe("a record parsed once", () => {
  it("parses again as itself; a changed copy is validated anew", () => {
    const first = parseRecord(payment("2026-11-30"));
    if (!first.ok) throw new Error(first.reason);
    const again = parseRecord(first.record);
    expect(again.ok && again.record).toBe(first.record);
    const copy = { ...first.record, paymentDate: "2026-02-30" } as CanonicalRecord;
    const r = parseRecord(copy);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe("paymentDate: not a calendar date");
    const padded = parseRecord({ ...first.record, supplierName: "  Acme  " });
    expect(padded.ok && padded.record.entity === "payment" && padded.record.supplierName).toBe(
      "Acme",
    );
  });
});
