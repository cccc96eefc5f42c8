import {
  abs,
  cmp,
  type Decimal,
  dec,
  divide,
  isZero,
  mul,
  round,
  sign,
  sub,
} from "../shared/decimal.ts";
import type { PriceTolerance } from "./match-policy.ts";

/**
 * Exact price comparison of an invoice line against its PO line.
 *
 * Prices are "per N units" (M3 PUCD): invoice a per p units, PO b per q units. Unit prices a/p
 * and b/q are never divided out: the difference is (a·q − b·p)/(p·q), and every limit is checked
 * by multiplying the other side instead, so a variance exactly at the limit stays exactly at it.
 */
export interface PriceSide {
  readonly price: Decimal;
  readonly per: Decimal;
}

export interface PriceCheck {
  /** Variance in the buyer's disfavour beyond tolerance (more charged, or less credited). */
  readonly exception: boolean;
  readonly unfavourable: boolean;
  readonly percentExceeded: boolean;
  readonly absoluteExceeded: boolean;
  /** (a·q − b·p): sign of the unit price difference, invoice minus PO. */
  readonly diffNumerator: Decimal;
  /** b·p: the PO unit price on the same scale, for the percentage (0 when the PO price is 0). */
  readonly percentDenominator: Decimal;
  /** |unit price difference| × |quantity|, rounded to `minorUnits` half away from zero. */
  readonly varianceAmount: Decimal;
}

export interface PriceLimits {
  readonly percent?: Decimal;
  readonly absolute?: Decimal;
}

/** The limits that apply to a line in `currency` (an absolute limit in another currency does not). */
export function priceLimits(tolerance: PriceTolerance, currency: string): PriceLimits {
  const absolute = tolerance.absolute?.[currency] ?? tolerance.absolute?.["*"];
  return {
    ...(tolerance.percent !== undefined ? { percent: dec(tolerance.percent) } : {}),
    ...(absolute !== undefined ? { absolute: dec(absolute) } : {}),
  };
}

/**
 * @param direction 1 for an invoice (paying more than the PO is unfavourable), -1 for a credit
 *   note (being credited less than the PO price is unfavourable).
 * @param lineAmount the invoice line's amount, when its quantity is not in the price unit (M3
 *   order unit PUUN ≠ price unit PPUN, no conversion factor at hand): the variance is then that
 *   amount's share (a·q − b·p)/(a·q), which is the same figure without converting quantities.
 */
export function checkPrice(
  invoice: PriceSide,
  po: PriceSide,
  quantity: Decimal,
  limits: PriceLimits,
  direction: 1 | -1,
  minorUnits: number,
  lineAmount?: Decimal,
): PriceCheck {
  const a = invoice.price;
  const p = invoice.per;
  const b = po.price;
  const q = po.per;
  const diffNumerator = sub(mul(a, q), mul(b, p));
  const absDiff = abs(diffNumerator);
  const unfavourable = sign(diffNumerator) * direction > 0;
  const percentDenominator = mul(b, p);
  // variance = |a·q − b·p| × scale ÷ base: quantity ÷ (p·q), or line amount ÷ (a·q).
  const byAmount = lineAmount !== undefined && !isZero(a);
  const scale = byAmount ? abs(lineAmount) : abs(quantity);
  const pq = byAmount ? mul(a, q) : mul(p, q);

  const percentExceeded =
    limits.percent !== undefined &&
    (isZero(b)
      ? !isZero(diffNumerator)
      : cmp(mul(absDiff, dec(100)), mul(limits.percent, abs(percentDenominator))) > 0);
  const absoluteExceeded =
    limits.absolute !== undefined && cmp(mul(absDiff, scale), mul(limits.absolute, pq)) > 0;
  const noLimits = limits.percent === undefined && limits.absolute === undefined;
  const beyond = noLimits ? !isZero(diffNumerator) : percentExceeded || absoluteExceeded;

  return {
    exception: unfavourable && beyond,
    unfavourable,
    percentExceeded,
    absoluteExceeded,
    diffNumerator,
    percentDenominator,
    varianceAmount: isZero(pq)
      ? round(dec(0), minorUnits)
      : divide(mul(absDiff, scale), pq, minorUnits),
  };
}
