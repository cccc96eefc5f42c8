import { createHash } from "node:crypto";

/**
 * Canonical form of a record for hashing and diffing: object keys sorted, `undefined` dropped,
 * volatile top-level fields removed, and arrays of identified items (PO / invoice / GL lines by
 * line number, receipts by id) sorted by identity, so the same content always hashes the same
 * however the ERP happened to order it on this read.
 */

/**
 * Fields that change without the content changing: M3 bumps LMDT (change date) and CHID (user) on
 * any save, even one that alters nothing a clerk would care about.
 */
export const DEFAULT_VOLATILE_FIELDS: readonly string[] = ["changedAt", "changedBy"];

export type Canonical = null | boolean | number | string | Canonical[] | { [k: string]: Canonical };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Identity label of an array item, or undefined when the item has none: `line` (with `/subLine`
 * when non-zero) for document lines, `id` for receipts and master data.
 */
export function itemIdentity(item: unknown): string | undefined {
  if (!isPlainObject(item)) return undefined;
  if (typeof item.line === "number") {
    const sub = typeof item.subLine === "number" && item.subLine !== 0 ? `/${item.subLine}` : "";
    return `${item.line}${sub}`;
  }
  if (typeof item.id === "string" && item.id) return item.id;
  return undefined;
}

/** True when every item has an identity and no two share one: such arrays diff by identity. */
export function isIdentified(items: readonly unknown[]): boolean {
  if (items.length === 0) return false;
  const seen = new Set<string>();
  for (const item of items) {
    const id = itemIdentity(item);
    if (id === undefined || seen.has(id)) return false;
    seen.add(id);
  }
  return true;
}

function compareIdentity(a: unknown, b: unknown): number {
  const ia = itemIdentity(a) ?? "";
  const ib = itemIdentity(b) ?? "";
  const na = Number.parseFloat(ia);
  const nb = Number.parseFloat(ib);
  if (
    isPlainObject(a) &&
    typeof a.line === "number" &&
    isPlainObject(b) &&
    typeof b.line === "number"
  ) {
    if (na !== nb) return na - nb;
    return Number(a.subLine ?? 0) - Number(b.subLine ?? 0);
  }
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

function canonicalValue(value: unknown): Canonical | undefined {
  if (value === undefined || typeof value === "function" || typeof value === "symbol") {
    return undefined;
  }
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) {
    const items = isIdentified(value) ? [...value].sort(compareIdentity) : value;
    return items.map((v) => canonicalValue(v) ?? null);
  }
  if (value instanceof Date) return value.toISOString();
  if (isPlainObject(value)) {
    const out: { [k: string]: Canonical } = {};
    for (const k of Object.keys(value).sort()) {
      const v = canonicalValue(value[k]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return String(value);
}

/** Canonical content of a record: volatile top-level fields dropped, keys sorted. */
export function canonicalize(
  record: unknown,
  volatile: readonly string[] = DEFAULT_VOLATILE_FIELDS,
): Canonical {
  if (!isPlainObject(record)) return canonicalValue(record) ?? null;
  const drop = new Set(volatile);
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!drop.has(k)) kept[k] = v;
  return canonicalValue(kept) ?? null;
}

/** JSON.stringify of a canonical value is stable because its keys are already sorted. */
export function canonicalJson(
  record: unknown,
  volatile: readonly string[] = DEFAULT_VOLATILE_FIELDS,
): string {
  return JSON.stringify(canonicalize(record, volatile));
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Content hash of a record (hex sha-256 of its canonical JSON). */
export function contentHash(
  record: unknown,
  volatile: readonly string[] = DEFAULT_VOLATILE_FIELDS,
): string {
  return sha256(canonicalJson(record, volatile));
}
