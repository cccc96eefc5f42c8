/**
 * Exact decimal arithmetic on bigint coefficients. ERP amounts arrive as decimal strings;
 * a float would turn 0.1 + 0.2 into 0.30000000000000004 and make tolerance checks wrong at the
 * boundary, so every amount, quantity and percentage goes through here.
 *
 * value = coef × 10^-scale. Operations are exact; only `round` and `divide` lose digits, and both
 * say how: half away from zero (the commercial rounding finance staff expect on an invoice).
 */
export interface Decimal {
  readonly coef: bigint;
  readonly scale: number;
}

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d+))?$/;

export class DecimalFormatError extends Error {
  readonly code = "decimal_format";
  readonly input: string;
  constructor(input: string) {
    super(
      `not a decimal number: ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`,
    );
    this.input = input;
  }
}

export function isDecimalString(text: string): boolean {
  return parsePlain(text) !== undefined || DECIMAL_RE.test(text.trim());
}

/** Digits a double holds exactly (< 2^53): a coefficient this short needs no string-to-bigint parse. */
const EXACT_DIGITS = 15;

/**
 * `dec` of text DECIMAL_RE accepts as it is (no surrounding space) with at most EXACT_DIGITS
 * digits, read without a regex or a string-to-bigint parse: `dec` runs for every amount and
 * quantity the rules compare, a share of the pipeline's CPU (bench/scenarios/pipeline.ts).
 * Undefined for anything else (the regex path decides: a longer number, space, garbage).
 */
function parsePlain(text: string): Decimal | undefined {
  const n = text.length;
  let i = 0;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) i = 1; // - +
  let digits = 0;
  let scale = -1;
  let value = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits += 1;
      if (scale >= 0) scale += 1;
    } else if (c === 46 && scale < 0 && digits > 0) {
      scale = 0;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || scale === 0 || digits > EXACT_DIGITS) return undefined;
  const coef = BigInt(value);
  return { coef: first === 45 ? -coef : coef, scale: Math.max(scale, 0) };
}

/**
 * Whether `text` is already what `normalize` makes of it: optional "-", no leading zero, no
 * trailing fraction zero, no "-0". Checked without parsing, as most amounts arrive that way.
 */
export function isCanonical(text: string): boolean {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  const start = i;
  while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  const whole = i - start;
  if (whole === 0) return false;
  const leadingZero = text.charCodeAt(start) === 48;
  if (leadingZero && whole > 1) return false;
  if (i === n) return !(start === 1 && leadingZero); // "-0" is "0"
  if (text.charCodeAt(i) !== 46) return false;
  i += 1;
  const fracStart = i;
  while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  return i === n && i > fracStart && text.charCodeAt(n - 1) !== 48;
}

export function dec(input: string | number | bigint | Decimal): Decimal {
  if (typeof input === "object") return input;
  if (typeof input === "bigint") return { coef: input, scale: 0 };
  if (typeof input === "number") {
    if (!Number.isSafeInteger(input)) {
      throw new DecimalFormatError(String(input));
    }
    return { coef: BigInt(input), scale: 0 };
  }
  const plain = parsePlain(input);
  if (plain !== undefined) return plain;
  const match = DECIMAL_RE.exec(input.trim());
  if (!match) throw new DecimalFormatError(input);
  const [, sign, whole = "0", frac = ""] = match;
  const coef = BigInt(whole + frac) * (sign === "-" ? -1n : 1n);
  return { coef, scale: frac.length };
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  if (a.scale === b.scale) return [a.coef, b.coef, a.scale];
  if (a.scale > b.scale) return [a.coef, b.coef * pow10(a.scale - b.scale), a.scale];
  return [a.coef * pow10(b.scale - a.scale), b.coef, b.scale];
}

export function add(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b);
  return { coef: x + y, scale };
}

export function sub(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b);
  return { coef: x - y, scale };
}

export function mul(a: Decimal, b: Decimal): Decimal {
  return { coef: a.coef * b.coef, scale: a.scale + b.scale };
}

export function neg(a: Decimal): Decimal {
  return { coef: -a.coef, scale: a.scale };
}

export function abs(a: Decimal): Decimal {
  return a.coef < 0n ? neg(a) : a;
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total: Decimal = { coef: 0n, scale: 0 };
  for (const v of values) total = add(total, v);
  return total;
}

/** -1, 0 or 1, exactly. */
export function cmp(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(a: Decimal): boolean {
  return a.coef === 0n;
}

export function sign(a: Decimal): -1 | 0 | 1 {
  return a.coef < 0n ? -1 : a.coef > 0n ? 1 : 0;
}

/** Round to `scale` digits, half away from zero. */
export function round(a: Decimal, scale: number): Decimal {
  if (a.scale <= scale) return { coef: a.coef * pow10(scale - a.scale), scale };
  const divisor = pow10(a.scale - scale);
  const q = a.coef / divisor;
  const r = a.coef % divisor;
  const twice = (r < 0n ? -r : r) * 2n;
  const bump = twice >= divisor ? (a.coef < 0n ? -1n : 1n) : 0n;
  return { coef: q + bump, scale };
}

/** a ÷ b rounded to `scale` digits, half away from zero. Throws on division by zero. */
export function divide(a: Decimal, b: Decimal, scale: number): Decimal {
  if (b.coef === 0n) throw new RangeError("division by zero");
  const num = a.coef * pow10(b.scale + scale);
  const den = b.coef * pow10(a.scale);
  const q = num / den;
  const r = num % den;
  const absR = r < 0n ? -r : r;
  const absDen = den < 0n ? -den : den;
  const negative = num < 0n !== den < 0n;
  const bump = absR * 2n >= absDen && absR !== 0n ? (negative ? -1n : 1n) : 0n;
  return { coef: q + bump, scale };
}

/** Canonical text: no exponent, at least `minScale` fraction digits, trailing zeros beyond it dropped. */
export function toFixed(a: Decimal, minScale = 0): string {
  let { coef, scale } = a;
  while (scale > minScale && coef % 10n === 0n) {
    coef /= 10n;
    scale -= 1;
  }
  if (scale < minScale) {
    coef *= pow10(minScale - scale);
    scale = minScale;
  }
  const negative = coef < 0n;
  const digits = (negative ? -coef : coef).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const frac = scale > 0 ? `.${digits.slice(digits.length - scale)}` : "";
  return `${negative ? "-" : ""}${whole}${frac}`;
}

/** Canonical form of a decimal string: "0012.500" → "12.5", "-0" → "0". */
export function normalize(text: string): string {
  if (isCanonical(text)) return text;
  return toFixed(dec(text));
}
