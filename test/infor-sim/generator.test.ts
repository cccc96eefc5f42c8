import { describe, expect, it } from "vitest";
import { parseMinor } from "../../sandbox/infor-sim/data/amounts.ts";
import { allGlLines, invoiceLines } from "../../sandbox/infor-sim/data/derive.ts";
import { generateTenantData } from "../../sandbox/infor-sim/data/generate.ts";
import type { TenantData } from "../../sandbox/infor-sim/data/model.ts";

const make = (seed: number, invoices = 80): TenantData =>
  generateTenantData({
    tenant: "T",
    seed,
    today: "20261130",
    size: { suppliersPerCompany: 10, purchaseOrders: 30, invoices, manualVouchers: 5 },
  });

describe("infor-sim data generator", () => {
  it("gives the same data for the same seed and different data for another", () => {
    expect(make(7)).toEqual(make(7));
    expect(make(8).invoices.map((i) => i.cuam)).not.toEqual(make(7).invoices.map((i) => i.cuam));
  });

  it("covers companies and divisions, partial and multiple receipts, every invoice stage", () => {
    const data = make(3);
    expect(new Set(data.invoices.map((i) => `${i.cono}/${i.divi}`))).toEqual(
      new Set(["100/AAA", "100/BBB", "200/CCC"]),
    );
    const lines = data.pos.flatMap((p) => p.lines);
    expect(lines.some((l) => l.receipts.length >= 2)).toBe(true);
    expect(lines.some((l) => Number(l.rvqa) > 0 && Number(l.rvqa) < Number(l.orqa))).toBe(true);
    expect(data.invoices.some((i) => i.payment)).toBe(true);
    for (const amount of data.invoices.map((i) => i.cuam)) expect(amount).toMatch(/^-?\d+\.\d{2}$/);
  });

  it("uses APS450's real status and batch type codes, 40, 78 and 79 included", () => {
    const data = make(3, 1000);
    const real = ["10", "15", "20", "30", "40", "41", "42", "43", "50", "78", "79", "90"];
    const seen = new Set(data.invoices.map((i) => i.supa));
    for (const code of seen) expect(real).toContain(code);
    for (const code of ["10", "15", "20", "30", "40", "50", "78", "79", "90"])
      expect(seen).toContain(code);
    for (const i of data.invoices) expect(["10", "20", "25", "30", "50"]).toContain(i.ibtp);
  });

  it("prices some PO lines per 100 units and carries PUCD/PPUN onto their invoice lines", () => {
    const data = make(3, 200);
    const perHundred = data.pos.flatMap((p) => p.lines).filter((l) => l.pucd === "100");
    expect(perHundred.length).toBeGreaterThan(0);
    const invoiced = data.invoices.flatMap((i) => i.lines ?? []).filter((l) => l.pucd === "100");
    expect(invoiced.length).toBeGreaterThan(0);
    for (const l of invoiced) {
      // Net amount = quantity × price ÷ 100 (to the cent, truncated as the PO line's LNAM).
      const expected = (BigInt(l.ivqa) * parseMinor(l.grpr)) / 100n;
      expect(parseMinor(l.nlam)).toBe(expected);
      expect(l.ppun).not.toBe("");
    }
  });

  it("contains every exception case, and each really is that case", () => {
    const data = make(11);
    const byInbn = (n: number | undefined) => data.invoices.find((i) => i.inbn === n);
    const poLine = (puno: string, pnli: number) =>
      data.pos.find((p) => p.puno === puno)?.lines.find((l) => l.pnli === pnli);
    const s = data.scenarios;
    const pv = byInbn(s.priceVariance[0]);
    const pvLine = invoiceLines(pv ?? ({} as never))[0];
    expect(parseMinor(pvLine?.grpr ?? "0")).toBeGreaterThan(
      parseMinor(poLine(pvLine?.puno ?? "", pvLine?.pnli ?? 0)?.pupr ?? "0"),
    );
    const qo = invoiceLines(byInbn(s.qtyOverReceipt[0]) ?? ({} as never))[0];
    expect(Number(qo?.ivqa)).toBeGreaterThan(Number(poLine(qo?.puno ?? "", qo?.pnli ?? 0)?.rvqa));
    const mr = invoiceLines(byInbn(s.missingReceipt[0]) ?? ({} as never))[0];
    expect(poLine(mr?.puno ?? "", mr?.pnli ?? 0)?.receipts).toEqual([]);
    const [d1, d2] = s.duplicateNumber.map(byInbn);
    expect(d1?.inbn).not.toBe(d2?.inbn);
    expect(`${d1?.suno}/${d1?.sino}`).toBe(`${d2?.suno}/${d2?.sino}`);
    expect(byInbn(s.creditNote[0])?.cuam.startsWith("-")).toBe(true);
    const oc = byInbn(s.otherCurrency[0]);
    expect(oc?.cucd).not.toBe(data.divisions.find((d) => d.divi === oc?.divi)?.locd);
  });

  it("books balanced GL vouchers with a cost center on cost lines", () => {
    const data = make(5);
    const sums = new Map<string, bigint>();
    for (const g of allGlLines(data)) {
      const key = `${g.divi}/${g.jrno}`;
      sums.set(key, (sums.get(key) ?? 0n) + parseMinor(g.acam));
    }
    expect(sums.size).toBeGreaterThan(10);
    for (const total of sums.values()) expect(total).toBe(0n);
    expect([...allGlLines(data)].some((g) => g.ait[1].startsWith("CC"))).toBe(true);
  });

  it("invoice totals equal their lines plus VAT", () => {
    const data = make(9);
    for (const invoice of data.invoices) {
      const net = invoiceLines(invoice).reduce((sum, l) => sum + parseMinor(l.nlam), 0n);
      expect(net + parseMinor(invoice.vtam)).toBe(parseMinor(invoice.cuam));
    }
  });

  it("makes 100k invoices", () => {
    const data = generateTenantData({
      tenant: "T",
      seed: 1,
      today: "20261130",
      size: { invoices: 100_000, purchaseOrders: 500 },
    });
    expect(data.invoices.length).toBeGreaterThanOrEqual(100_000);
  });
});

describe("infor-sim exact comparisons", () => {
  it("compares decimal strings exactly, beyond float precision", async () => {
    const { compareDecimal } = await import("../../sandbox/infor-sim/data/compare.ts");
    expect(compareDecimal("12345678901234567.01", "12345678901234567.02")).toBe(-1);
    expect(compareDecimal("10", "9")).toBe(1);
    expect(compareDecimal("-1.50", "-1.5")).toBe(0);
    expect(compareDecimal("abc", "1")).toBeUndefined();
  });
});
