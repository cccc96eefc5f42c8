import { parseMinor } from "./amounts.ts";

const SMALL_INT = /^-?\d{1,15}$/;
const DECIMAL = /^-?\d*(\.\d*)?$/;

/**
 * Exact numeric comparison of two decimal strings (amounts are never compared as floats):
 * small integers take the fast path, anything else goes through bigint at 8 decimals.
 * Returns undefined when either side is not a number.
 */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 | undefined {
  const x = a.trim() || "0";
  const y = b.trim() || "0";
  if (SMALL_INT.test(x) && SMALL_INT.test(y)) {
    const m = Number(x);
    const n = Number(y);
    return m === n ? 0 : m < n ? -1 : 1;
  }
  if (!DECIMAL.test(x) || !DECIMAL.test(y) || x === "-" || y === "-" || x === "." || y === ".")
    return undefined;
  const m = parseMinor(x, 8);
  const n = parseMinor(y, 8);
  return m === n ? 0 : m < n ? -1 : 1;
}
