/**
 * Amounts are integers of minor units (bigint) inside the generator and decimal strings outside:
 * never floats. M3 sends amounts as plain decimal strings ("1234.50", "-10.00").
 */
export function formatMinor(minor: bigint, scale = 2): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return `${negative ? "-" : ""}${whole}${scale > 0 ? `.${frac}` : ""}`;
}

const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)$/;

/** Whether an ERP field holds a plain decimal ("12.50", "-3"): M3 may hold text such as "12,5O". */
export function isDecimal(text: string): boolean {
  return DECIMAL.test(text.trim());
}

/** Parses a decimal string into minor units at the given scale (extra digits are rounded half up). */
export function parseMinor(text: string, scale = 2): bigint {
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  const [, sign = "", whole = "0", frac = ""] = match;
  const padded = (frac + "0".repeat(scale + 1)).slice(0, scale + 1);
  let minor = BigInt((whole || "0") + padded.slice(0, scale));
  if (Number(padded[scale] ?? "0") >= 5) minor += 1n;
  return sign === "-" ? -minor : minor;
}

/** Percentage of an amount, rounded half up (away from zero). */
export function percentOf(minor: bigint, percent: bigint): bigint {
  const scaled = minor * percent;
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const rounded = (abs + 50n) / 100n;
  return negative ? -rounded : rounded;
}

/** Quantity (decimal string, any scale) times price (minor units), rounded half up to minor units. */
export function lineAmount(quantity: string, priceMinor: bigint): bigint {
  const [whole = "0", frac = ""] = quantity.replace("-", "").split(".");
  const negative = quantity.trim().startsWith("-");
  const scale = frac.length;
  const qty = BigInt(whole + frac);
  const raw = qty * priceMinor;
  const divisor = 10n ** BigInt(scale);
  const rounded = scale === 0 ? raw : (raw + divisor / 2n) / divisor;
  return negative ? -rounded : rounded;
}

/** Quantities carry up to 6 decimals in M3 (ORQA, RVQA, RPQA: N15 with 6 decimals). */
const QTY_SCALE = 6;

/**
 * Exact sum of quantities as M3 shows them ("4", "0.3"): no float error, no trailing zeros;
 * blank when one of them is not a number (the ERP holds it as text, a total does not exist).
 */
export function sumQuantities(quantities: readonly string[]): string {
  let total = 0n;
  for (const q of quantities) {
    if (!isDecimal(q)) return "";
    total += parseMinor(q, QTY_SCALE);
  }
  return formatMinor(total, QTY_SCALE).replace(/\.?0+$/, "") || "0";
}
