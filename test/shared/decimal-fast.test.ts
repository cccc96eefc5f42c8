import { describe, expect, it } from "vitest";
import {
  type Decimal,
  DecimalFormatError,
  dec,
  isDecimalString,
  normalize,
  round,
  toFixed,
} from "../../src/shared/decimal.ts";
import { formatMoney, minorUnits } from "../../src/shared/money.ts";

/**
 * The fast paths of dec / normalize / formatMoney (no regex, no bigint parse for short numbers,
 * no arithmetic for amounts already canonical) against the regex-and-bigint way they replaced.
 */
const RE = /^([+-])?(\d+)(?:\.(\d+))?$/;

function refDec(input: string): Decimal {
  const match = RE.exec(input.trim());
  if (!match) throw new DecimalFormatError(input);
  const [, sign, whole = "0", frac = ""] = match;
  return { coef: BigInt(whole + frac) * (sign === "-" ? -1n : 1n), scale: frac.length };
}

function refFormatMoney(amount: string, currency: string): string {
  const minor = minorUnits(currency);
  const text = toFixed(round(refDec(amount), minor), minor);
  const negative = text.startsWith("-");
  const [whole = "0", frac] = (negative ? text.slice(1) : text).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${frac ? `.${frac}` : ""} ${currency}`;
}

const fixed = [
  "0",
  "-0",
  "+0",
  "00",
  "0.0",
  "-0.00",
  "0.5",
  "-0.5",
  ".5",
  "5.",
  "-",
  "+",
  "",
  " ",
  " 12.5 ",
  "\t7",
  "12.50",
  "12.5",
  "0012.500",
  "+12.40",
  "-12.40",
  "1e5",
  "12,40",
  "1.2.3",
  "--1",
  "12a",
  "999999999999999",
  "9999999999999999",
  "123456789012345.6",
  "12345678901234.5",
  "-99999999999999999.99",
  "1000000",
  "1234567.891",
  "0.001",
  "0.005",
  "-0.005",
  "١٢",
];

function randomDecimal(rand: () => number): string {
  const pick = (s: string) => s[Math.floor(rand() * s.length)] as string;
  const digits = (n: number) => Array.from({ length: n }, () => pick("0123456789")).join("");
  let text = pick("  --+");
  text = text === " " ? "" : text;
  text += digits(Math.floor(rand() * 19));
  if (rand() < 0.6) text += `.${digits(Math.floor(rand() * 6))}`;
  if (rand() < 0.03) text = ` ${text}`;
  if (rand() < 0.03) text += pick("x,. e");
  return text;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const rand = seeded(20261207);
const inputs = [...fixed, ...Array.from({ length: 5000 }, () => randomDecimal(rand))];

function outcome<T>(f: () => T): { ok: T } | { error: string } {
  try {
    return { ok: f() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe("decimal fast paths", () => {
  it("dec reads every text as the regex did, and refuses the same ones with the same message", () => {
    for (const text of inputs) {
      expect(
        outcome(() => dec(text)),
        JSON.stringify(text),
      ).toEqual(outcome(() => refDec(text)));
    }
  });

  it("normalize and isDecimalString agree with the parse", () => {
    for (const text of inputs) {
      expect(isDecimalString(text), JSON.stringify(text)).toBe(RE.test(text.trim()));
      expect(
        outcome(() => normalize(text)),
        JSON.stringify(text),
      ).toEqual(outcome(() => toFixed(refDec(text))));
    }
  });

  it("a canonical amount is returned as the same text", () => {
    expect(normalize("12.5")).toBe("12.5");
    expect(normalize("-0.05")).toBe("-0.05");
    expect(normalize("-0")).toBe("0");
    expect(normalize("12.50")).toBe("12.5");
  });

  it("formatMoney words every amount as rounding and grouping did", () => {
    for (const currency of ["EUR", "JPY", "KWD"]) {
      for (const text of inputs) {
        expect(
          outcome(() => formatMoney({ amount: text, currency })),
          JSON.stringify(text),
        ).toEqual(outcome(() => refFormatMoney(text, currency)));
      }
    }
    expect(formatMoney({ amount: "1234567.5", currency: "EUR" })).toBe("1,234,567.50 EUR");
    expect(formatMoney({ amount: "-1234.5", currency: "JPY" })).toBe("-1,235 JPY");
  });
});
