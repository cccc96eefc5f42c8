import { z } from "zod";
import {
  add,
  cmp,
  type Decimal,
  dec,
  isCanonical,
  isDecimalString,
  normalize,
  round,
  toFixed,
} from "./decimal.ts";

/**
 * An amount and its currency, always together. `amount` is a canonical decimal string so a
 * record survives JSON, Redis and BullMQ unchanged; arithmetic goes through `decimal.ts`.
 */
export interface Money {
  readonly amount: string;
  readonly currency: string;
}

export const decimalString = z
  .string()
  .refine(isDecimalString, { message: "expected a decimal number such as 1234.50" })
  .transform(normalize);

export const currencyCode = z
  .string()
  .trim()
  .regex(/^[A-Z]{3}$/, { message: "expected a 3-letter ISO 4217 currency code" });

export const moneySchema = z.object({ amount: decimalString, currency: currencyCode });

export function money(amount: string | Decimal, currency: string): Money {
  return {
    amount: typeof amount === "string" ? normalize(amount) : toFixed(amount),
    currency,
  };
}

export class CurrencyMismatchError extends Error {
  readonly code = "currency_mismatch";
  readonly left: string;
  readonly right: string;
  constructor(left: string, right: string) {
    super(`cannot combine ${left} with ${right}`);
    this.left = left;
    this.right = right;
  }
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
}

export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(add(dec(a.amount), dec(b.amount)), a.currency);
}

export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b);
  return cmp(dec(a.amount), dec(b.amount));
}

/** Minor units by ISO 4217 (the exceptions that matter to finance; 2 otherwise). */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  JPY: 0,
  KRW: 0,
  ISK: 0,
  CLP: 0,
  VND: 0,
  HUF: 2,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
};

export function minorUnits(currency: string): number {
  return MINOR_UNITS[currency] ?? 2;
}

/** "12,345.60 EUR": grouped, rounded half away from zero to the currency's minor units. */
export function formatMoney(m: Money): string {
  const minor = minorUnits(m.currency);
  const text = padded(m.amount, minor) ?? toFixed(round(dec(m.amount), minor), minor);
  const negative = text.startsWith("-");
  const [whole = "0", frac] = (negative ? text.slice(1) : text).split(".");
  return `${negative ? "-" : ""}${groupThousands(whole)}${frac ? `.${frac}` : ""} ${m.currency}`;
}

/**
 * A canonical amount with at most `minor` fraction digits, padded to `minor`: what rounding
 * would give, without the bigint arithmetic (formatMoney runs for every amount a rule compares).
 */
function padded(amount: string, minor: number): string | undefined {
  if (!isCanonical(amount)) return undefined;
  const dot = amount.indexOf(".");
  const frac = dot < 0 ? 0 : amount.length - dot - 1;
  if (frac > minor) return undefined;
  if (frac === minor) return amount;
  return `${amount}${dot < 0 ? "." : ""}${"0".repeat(minor - frac)}`;
}

/** "1234567" → "1,234,567": a run of digits grouped by thousands. */
export function groupThousands(digits: string): string {
  const n = digits.length;
  if (n <= 3) return digits;
  let out = digits.slice(0, ((n - 1) % 3) + 1);
  for (let i = out.length; i < n; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return out;
}
