import { describe, expect, it } from "vitest";
import {
  add,
  cmp,
  dec,
  divide,
  mul,
  normalize,
  round,
  sub,
  sum,
  toFixed,
} from "../../src/shared/decimal.ts";
import { addMoney, CurrencyMismatchError, formatMoney, money } from "../../src/shared/money.ts";

describe("exact decimals", () => {
  it.each([
    ["0.1", "0.2", "0.3"],
    ["12.40", "-11.90", "0.5"],
    ["-0.005", "0.005", "0"],
    ["99999999999999999.99", "0.01", "100000000000000000"],
  ])("%s + %s = %s exactly", (a, b, expected) => {
    expect(toFixed(add(dec(a), dec(b)))).toBe(expected);
  });

  it("subtracts, multiplies and sums without floating error", () => {
    expect(toFixed(sub(dec("1.00"), dec("0.99")))).toBe("0.01");
    expect(toFixed(mul(dec("12.40"), dec("3")))).toBe("37.2");
    expect(toFixed(sum(["0.1", "0.1", "0.1"].map((s) => dec(s))))).toBe("0.3");
  });

  it.each([
    ["2.345", 2, "2.35"],
    ["-2.345", 2, "-2.35"],
    ["2.344", 2, "2.34"],
    ["0.5", 0, "1"],
    ["-0.5", 0, "-1"],
    ["1.2", 3, "1.200"],
  ])("round(%s, %i) = %s (half away from zero)", (v, s, expected) => {
    expect(toFixed(round(dec(v), s), s)).toBe(expected);
  });

  it.each([
    ["1", "3", 4, "0.3333"],
    ["2", "3", 2, "0.67"],
    ["-2", "3", 2, "-0.67"],
    ["0.5", "11.90", 3, "0.042"],
    ["1", "8", 2, "0.13"],
    ["-1", "8", 2, "-0.13"],
  ])("divide(%s, %s, %i) = %s", (a, b, s, expected) => {
    expect(toFixed(divide(dec(a), dec(b), s), s)).toBe(expected);
  });

  it("compares across scales and refuses garbage", () => {
    expect(cmp(dec("2.0"), dec("2"))).toBe(0);
    expect(cmp(dec("-0.01"), dec("0"))).toBe(-1);
    expect(normalize("0012.500")).toBe("12.5");
    expect(normalize("-0.00")).toBe("0");
    expect(() => dec("1e5")).toThrow(/not a decimal/);
    expect(() => dec("12,40")).toThrow(/not a decimal/);
    expect(() => dec(0.1)).toThrow();
    expect(() => divide(dec("1"), dec("0"), 2)).toThrow(RangeError);
  });
});

describe("money", () => {
  it("formats with grouping and the currency's minor units", () => {
    expect(formatMoney(money("12345.6", "EUR"))).toBe("12,345.60 EUR");
    expect(formatMoney(money("-0.005", "USD"))).toBe("-0.01 USD");
    expect(formatMoney(money("1234.5", "JPY"))).toBe("1,235 JPY");
    expect(formatMoney(money("1.2345", "KWD"))).toBe("1.235 KWD");
  });

  it("never adds different currencies", () => {
    expect(addMoney(money("1.10", "EUR"), money("2.20", "EUR"))).toEqual({
      amount: "3.3",
      currency: "EUR",
    });
    expect(() => addMoney(money("1", "EUR"), money("1", "USD"))).toThrow(CurrencyMismatchError);
  });
});
