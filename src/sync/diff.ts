import { type Canonical, isIdentified, isPlainObject, itemIdentity } from "./canonical.ts";

/**
 * Field-level differences between two canonical snapshots, with paths a clerk can read:
 * `total.amount`, `status`, `lines[20].receivedQty`. Inside a bracket is the item's identity
 * (ERP line number, `line/subLine` when the sub-line is not 0, or a receipt id), so inserting
 * a line reports that one line instead of every line after it; arrays without identities use
 * the position from 0.
 */
export interface FieldChange {
  path: string;
  /** Undefined when the field or line was added. */
  before?: Canonical;
  /** Undefined when the field or line was removed. */
  after?: Canonical;
  /** For the `amount` of a money value: its currency, since an amount is never shown bare. */
  currency?: string;
}

function isMoney(v: Canonical | undefined): v is { amount: string; currency: string } {
  return isPlainObject(v) && typeof v.amount === "string" && typeof v.currency === "string";
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function same(a: Canonical | undefined, b: Canonical | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function change(path: string, before: Canonical | undefined, after: Canonical | undefined) {
  const c: FieldChange = { path };
  if (before !== undefined) c.before = before;
  if (after !== undefined) c.after = after;
  return c;
}

function diffInto(
  out: FieldChange[],
  path: string,
  before: Canonical | undefined,
  after: Canonical | undefined,
): void {
  if (same(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const from = out.length;
    for (const k of keys) diffInto(out, join(path, k), before[k], after[k]);
    if (isMoney(after) || isMoney(before)) {
      const currency = isMoney(after) ? after.currency : (before as { currency: string }).currency;
      const amountPath = join(path, "amount");
      for (const c of out.slice(from)) if (c.path === amountPath) c.currency = currency;
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const byId =
      (before.length === 0 || isIdentified(before)) &&
      (after.length === 0 || isIdentified(after)) &&
      (before.length > 0 || after.length > 0);
    if (byId) {
      const b = new Map(before.map((i) => [itemIdentity(i) ?? "", i]));
      const a = new Map(after.map((i) => [itemIdentity(i) ?? "", i]));
      const ids = [...b.keys(), ...[...a.keys()].filter((k) => !b.has(k))];
      for (const id of ids) diffInto(out, `${path}[${id}]`, b.get(id), a.get(id));
      return;
    }
    const n = Math.max(before.length, after.length);
    for (let i = 0; i < n; i++) diffInto(out, `${path}[${i}]`, before[i], after[i]);
    return;
  }
  out.push(change(path || "(record)", before, after));
}

export function diffSnapshots(before: Canonical, after: Canonical): FieldChange[] {
  const out: FieldChange[] = [];
  diffInto(out, "", before, after);
  return out;
}
