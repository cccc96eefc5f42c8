import { abs, cmp, type Decimal, dec, divide, mul, toFixed } from "../shared/decimal.ts";
import { formatMoney, groupThousands, type Money, minorUnits } from "../shared/money.ts";

/** Rounding rules for what people read: see the header of exception.ts. */

function group(text: string): string {
  const negative = text.startsWith("-");
  const [whole = "0", frac] = (negative ? text.slice(1) : text).split(".");
  return `${negative ? "-" : ""}${groupThousands(whole)}${frac ? `.${frac}` : ""}`;
}

/** A unit price exactly as sent (never rounded), padded to the currency's minor units. */
export function formatPrice(price: Money): string {
  return `${group(toFixed(dec(price.amount), minorUnits(price.currency)))} ${price.currency}`;
}

/** "12.40 EUR" or "12.40 EUR per 100 PCE" when the price is per N units. */
export function formatUnitPrice(price: Money, pricePer: string, unit: string | undefined): string {
  const per = dec(pricePer);
  const base = formatPrice(price);
  if (cmp(per, dec(1)) === 0) return base;
  return `${base} per ${toFixed(per)}${unit ? ` ${unit}` : ""}`;
}

export function formatQty(qty: Decimal, unit: string | undefined): string {
  return `${group(toFixed(qty))}${unit ? ` ${unit}` : ""}`;
}

export { formatMoney };

const MAX_PERCENT_SCALE = 6;

/**
 * 100 × numerator ÷ denominator as "+4.2 %": 1 decimal, half away from zero. When `limit` is
 * given and the exact value is above it but the 1-decimal text would not show that, more decimals
 * are used (up to 6), so "+2.0 %, tolerance 2 %" never appears for an exception.
 */
export function formatPercent(numerator: Decimal, denominator: Decimal, limit?: Decimal): string {
  const hundred = mul(numerator, dec(100));
  let scale = 1;
  let value = divide(hundred, denominator, scale);
  if (limit !== undefined) {
    const exactAbove = cmp(abs(hundred), mul(limit, abs(denominator))) > 0;
    while (scale < MAX_PERCENT_SCALE && exactAbove && cmp(abs(value), limit) <= 0) {
      scale += 1;
      value = divide(hundred, denominator, scale);
    }
  }
  const text = toFixed(value, 1);
  return `${value.coef > 0n ? "+" : ""}${text} %`;
}

export function formatLimit(percent: Decimal): string {
  return `${toFixed(percent)} %`;
}
