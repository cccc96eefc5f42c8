import { describe, expect, it } from "vitest";
import { formatPercent, formatQty, formatUnitPrice } from "../../src/rules/format.ts";
import { dec } from "../../src/shared/decimal.ts";

describe("display rounding", () => {
  it.each([
    // [numerator, denominator, limit, text]
    ["0.425", "10", undefined, "+4.3 %"], // 4.25 → half away from zero
    ["-0.755", "10", undefined, "-7.6 %"],
    ["0", "10", undefined, "0.0 %"],
    ["0.204", "10", "2", "+2.04 %"], // would read +2.0 % against 2 %: more digits
    ["0.196", "10", "2", "+2.0 %"], // within the limit: one decimal is enough
    ["1", "3", undefined, "+33.3 %"],
  ])("%s / %s (limit %s) → %s", (num, den, limit, text) => {
    expect(formatPercent(dec(num), dec(den), limit === undefined ? undefined : dec(limit))).toBe(
      text,
    );
  });

  it("shows unit prices exactly and quantities with their unit", () => {
    expect(formatUnitPrice({ amount: "1234.5", currency: "EUR" }, "1", "PCE")).toBe("1,234.50 EUR");
    expect(formatUnitPrice({ amount: "0.12345", currency: "EUR" }, "100", "PCE")).toBe(
      "0.12345 EUR per 100 PCE",
    );
    expect(formatUnitPrice({ amount: "12.5", currency: "KWD" }, "1", undefined)).toBe("12.500 KWD");
    expect(formatQty(dec("1500.250"), "KG")).toBe("1,500.25 KG");
  });
});
