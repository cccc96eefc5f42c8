import { describe, expect, it } from "vitest";
import { matchInvoice } from "../../src/rules/match-invoice.ts";
import type { MatchPolicy } from "../../src/rules/match-policy.ts";
import { invLine, invoice, po, poLine } from "./fixtures.ts";

const pct2: MatchPolicy = { defaults: { price: { percent: "2" } } };

function priceCase(
  invPrice: string,
  opts: {
    poPrice?: string;
    qty?: string;
    policy?: MatchPolicy;
    currency?: string;
    invPer?: string | null;
    poPer?: string;
    unit?: string;
    invPriceUnit?: string;
    poPriceUnit?: string;
    amount?: string;
    rule?: string;
  } = {},
) {
  const currency = opts.currency ?? "EUR";
  const qty = opts.qty ?? "10";
  const unit = opts.unit ?? "PCE";
  const order = po({ currency }, [
    poLine({
      unit,
      unitPrice: { amount: opts.poPrice ?? "11.90", currency },
      pricePer: opts.poPer ?? "1",
      ...(opts.poPriceUnit ? { priceUnit: opts.poPriceUnit } : {}),
    }),
  ]);
  const inv = invoice({ total: { amount: "1", currency } }, [
    invLine({
      quantity: qty,
      unit,
      unitPrice: { amount: invPrice, currency },
      // null: the ERP gave no price quantity (M3 FAPIBL without PUCD).
      ...(opts.invPer === null ? {} : { pricePer: opts.invPer ?? "1" }),
      ...(opts.invPriceUnit ? { priceUnit: opts.invPriceUnit } : {}),
      amount: { amount: opts.amount ?? "1", currency },
    }),
  ]);
  return matchInvoice({ invoice: inv, purchaseOrders: [order] }, opts.policy ?? pct2).filter(
    (e) => e.rule === (opts.rule ?? "price_variance"),
  );
}

describe("price variance", () => {
  it.each([
    // [invoice price, PO price, expected cause or null]
    ["11.90", "11.90", null],
    ["11.00", "11.90", null], // favourable: paying less is no exception
    ["12.40", "11.90", "Line 1: unit price 12.40 EUR vs PO 11.90 EUR (+4.2 %, tolerance 2 %)"],
    ["102.00", "100.00", null], // exactly at the limit: within
    ["101.99", "100.00", null], // just below
    ["102.01", "100.00", "Line 1: unit price 102.01 EUR vs PO 100.00 EUR (+2.01 %, tolerance 2 %)"],
    // 2.00001 % above: one decimal would show "+2.0 %", so more digits appear
    [
      "102.00001",
      "100.00",
      "Line 1: unit price 102.00001 EUR vs PO 100.00 EUR (+2.00001 %, tolerance 2 %)",
    ],
    ["1.00", "0", "Line 1: unit price 1.00 EUR vs PO 0.00 EUR (PO price is 0, tolerance 2 %)"],
  ])("invoice %s vs PO %s", (inv, poPrice, cause) => {
    const found = priceCase(inv, { poPrice });
    expect(found.map((e) => e.cause)).toEqual(cause ? [cause] : []);
  });

  it("states the amount at stake: difference × quantity, rounded to minor units", () => {
    const [e] = priceCase("12.405", { qty: "3" });
    // 0.505 × 3 = 1.515 → 1.52 (half away from zero)
    expect(e?.amountAtStake).toEqual({ amount: "1.52", currency: "EUR" });
    expect(e?.needsDecision).toBe(true);
    expect(e?.actions).toEqual(["accept", "reject", "hold"]);
    expect(e?.severity).toBe("medium");
  });

  it("compares prices per N units exactly (M3 PUCD)", () => {
    // PO 2.50 per 10 KG = 0.25 per KG
    const base = { poPrice: "2.50", poPer: "10", unit: "KG" };
    expect(priceCase("0.25", base)).toEqual([]);
    expect(priceCase("25.50", { ...base, invPer: "100" })).toEqual([]); // +2.0 % exactly
    expect(priceCase("25.51", { ...base, invPer: "100" }).map((e) => e.cause)).toEqual([
      "Line 1: unit price 25.51 EUR per 100 KG vs PO 2.50 EUR per 10 KG (+2.04 %, tolerance 2 %)",
    ]);
    const [e] = priceCase("0.26", { ...base, qty: "50" });
    expect(e?.cause).toBe(
      "Line 1: unit price 0.26 EUR vs PO 2.50 EUR per 10 KG (+4.0 %, tolerance 2 %)",
    );
    expect(e?.amountAtStake).toEqual({ amount: "0.5", currency: "EUR" });
  });

  it("takes the PO line's price quantity when the invoice line gives none (125.00 per 100 EA)", () => {
    const base = { poPrice: "125.00", poPer: "100", unit: "EA", qty: "500" };
    expect(priceCase("125.00", { ...base, invPer: null })).toEqual([]);
    // An explicit price quantity of 1 is a price per piece: that is a real variance.
    expect(priceCase("125.00", { ...base, invPer: "1" }).map((e) => e.cause)).toEqual([
      "Line 1: unit price 125.00 EUR vs PO 125.00 EUR per 100 EA (+9900.0 %, tolerance 2 %)",
    ]);
  });

  it("never compares prices in different price units (PPUN): a unit mismatch instead", () => {
    const base = { poPrice: "2.50", unit: "EA", poPriceUnit: "KG", invPriceUnit: "LB" };
    expect(priceCase("2.50", base)).toEqual([]);
    expect(priceCase("2.50", { ...base, rule: "unit_mismatch" }).map((e) => e.cause)).toEqual([
      "Line 1: priced per LB, PO 4500123 line 10 is priced per KG",
    ]);
    expect(priceCase("2.50", { ...base, invPriceUnit: "kg", rule: "unit_mismatch" })).toEqual([]);
  });

  it("order unit ≠ price unit: the variance is the line amount's share, no conversion needed", () => {
    // 40 EA ordered, priced per KG: 100 KG invoiced at 2.60 (260.00) vs PO 2.50 per KG.
    const policy: MatchPolicy = { defaults: { price: { percent: "1", absolute: { EUR: "5" } } } };
    const base = { poPrice: "2.50", unit: "EA", poPriceUnit: "KG", qty: "40", policy };
    const [e] = priceCase("2.60", { ...base, invPriceUnit: "KG", amount: "260.00" });
    // 260.00 × 0.10 ÷ 2.60 = 10.00 EUR (per-EA quantity × price difference would say 4.00)
    expect(e?.amountAtStake).toEqual({ amount: "10", currency: "EUR" });
    expect(e?.cause).toBe(
      "Line 1: unit price 2.60 EUR vs PO 2.50 EUR (+4.0 %, 10.00 EUR on 40 EA; tolerance 1 % or 5.00 EUR)",
    );
  });

  it("combines percent and absolute limits: an exception when either is exceeded", () => {
    const policy: MatchPolicy = { defaults: { price: { percent: "10", absolute: { EUR: "20" } } } };
    // +4.2 %, 10 × 0.50 = 5.00: under both
    expect(priceCase("12.40", { policy })).toEqual([]);
    // 40 × 0.50 = 20.00: exactly the absolute limit, within
    expect(priceCase("12.40", { policy, qty: "40" })).toEqual([]);
    // 41 × 0.50 = 20.50: absolute exceeded, percent not
    expect(priceCase("12.40", { policy, qty: "41" }).map((e) => e.cause)).toEqual([
      "Line 1: unit price 12.40 EUR vs PO 11.90 EUR (+4.2 %, 20.50 EUR on 41 PCE; tolerance 10 % or 20.00 EUR)",
    ]);
    // +12.6 % on 1 piece (1.50): percent exceeded, absolute not
    expect(priceCase("13.40", { policy, qty: "1" })).toHaveLength(1);
  });

  it("overrides each price limit on its own", () => {
    const policy: MatchPolicy = {
      defaults: { price: { percent: "10", absolute: { EUR: "20" } } },
      costCenters: { "CC-10": { price: { percent: "50" } } },
    };
    // CC-10 widens the percentage but keeps the default 20.00 EUR absolute limit
    expect(priceCase("12.40", { policy, qty: "41" })).toHaveLength(1);
    expect(priceCase("12.40", { policy, qty: "40" })).toEqual([]);
  });

  it("applies an absolute limit only in its own currency (or '*')", () => {
    const eurOnly: MatchPolicy = {
      defaults: { price: { percent: "10", absolute: { EUR: "20" } } },
    };
    expect(priceCase("12.40", { policy: eurOnly, qty: "41", currency: "USD" })).toEqual([]);
    const any: MatchPolicy = { defaults: { price: { percent: "10", absolute: { "*": "20" } } } };
    expect(priceCase("12.40", { policy: any, qty: "41", currency: "USD" })).toHaveLength(1);
  });

  it("treats missing limits as zero tolerance", () => {
    expect(priceCase("11.91", { policy: {} }).map((e) => e.cause)).toEqual([
      "Line 1: unit price 11.91 EUR vs PO 11.90 EUR (+0.1 %, tolerance none)",
    ]);
  });

  it("formats zero-decimal currencies (JPY) with their own minor units", () => {
    const [e] = priceCase("1050", { poPrice: "1000", qty: "3", currency: "JPY" });
    expect(e?.cause).toBe("Line 1: unit price 1,050 JPY vs PO 1,000 JPY (+5.0 %, tolerance 2 %)");
    expect(e?.amountAtStake).toEqual({ amount: "150", currency: "JPY" });
  });

  it("takes the cost center's tolerance over the company's and the default", () => {
    const policy: MatchPolicy = {
      defaults: { price: { percent: "1" } },
      companies: { "100": { settings: { price: { percent: "3" } } } },
      costCenters: { "CC-10": { price: { percent: "5" } } },
    };
    expect(priceCase("12.40", { policy })).toEqual([]); // +4.2 % within CC-10's 5 %
    const strict: MatchPolicy = {
      ...policy,
      companies: {
        "100": {
          settings: { price: { percent: "3" } },
          costCenters: { "CC-10": { price: { percent: "4" } } },
        },
      },
    };
    expect(priceCase("12.40", { policy: strict })).toHaveLength(1);
  });
});
