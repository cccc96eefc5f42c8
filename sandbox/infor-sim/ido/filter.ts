import { compareDecimal } from "../data/compare.ts";
import type { IdoRow, PropKind } from "./idos.ts";

/** The IDO filter subset: `Prop op literal { AND Prop op literal }` (SQL WHERE fragment). */
export class IdoFilterError extends Error {
  readonly code = "ido_filter";
}

type Op = "=" | "<>" | "<" | "<=" | ">" | ">=";
interface Condition {
  prop: string;
  op: Op;
  value: string;
  numeric: boolean;
}

const PATTERN = /^\s*(\w+)\s*(<>|<=|>=|=|<|>)\s*(N?'(?:[^']|'')*'|-?\d+(?:\.\d+)?)\s*/i;

/** Turns a filter literal for a date property into the IDO date text, so it compares as text. */
function normalizeDate(text: string): string {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text);
  if (!m) return text;
  return `${m[1]}${m[2]}${m[3]} ${m[4] ?? "00"}:${m[5] ?? "00"}:${m[6] ?? "00"}.000`;
}

export function parseFilter(filter: string, props: Record<string, PropKind>): Condition[] {
  const conditions: Condition[] = [];
  let rest = filter.trim();
  if (rest === "") return conditions;
  for (;;) {
    const match = PATTERN.exec(rest);
    if (!match)
      throw new IdoFilterError(
        `IllegalFilterException: cannot parse filter near '${rest.slice(0, 40)}'`,
      );
    const [whole, prop = "", op = "=", literal = ""] = match;
    const kind = props[prop];
    if (!kind) throw new IdoFilterError(`Property ${prop} not found`);
    const quoted = literal.includes("'");
    let value = quoted
      ? literal.slice(literal.indexOf("'") + 1, -1).replaceAll("''", "'")
      : literal;
    if (kind === "d") value = normalizeDate(value);
    conditions.push({
      prop,
      op: op as Op,
      value,
      numeric: !quoted || kind === "n" || kind === "i",
    });
    rest = rest.slice(whole.length);
    if (rest === "") break;
    const and = /^AND\s+/i.exec(rest);
    if (!and)
      throw new IdoFilterError(
        `IllegalFilterException: only AND is supported, near '${rest.slice(0, 40)}'`,
      );
    rest = rest.slice(and[0].length);
  }
  return conditions;
}

export function compareProp(a: string, b: string, numeric: boolean): number {
  if (numeric) {
    const cmp = compareDecimal(a, b);
    if (cmp !== undefined) return cmp;
  }
  return a === b ? 0 : a < b ? -1 : 1;
}

export function matches(row: IdoRow, conditions: Condition[]): boolean {
  for (const c of conditions) {
    const cmp = compareProp(row[c.prop] ?? "", c.value, c.numeric);
    const ok =
      c.op === "="
        ? cmp === 0
        : c.op === "<>"
          ? cmp !== 0
          : c.op === "<"
            ? cmp < 0
            : c.op === "<="
              ? cmp <= 0
              : c.op === ">"
                ? cmp > 0
                : cmp >= 0;
    if (!ok) return false;
  }
  return true;
}
