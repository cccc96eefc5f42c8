import { type CanonicalRecord, type Entity, parseRecord } from "../records.ts";

/**
 * Field helpers shared by the M3 and IDO mappers (pure). ERP values arrive as padded strings;
 * a helper never throws: a bad value is passed on as-is (or as undefined) so `parseRecord` names
 * the field and the record goes to quarantine instead of crashing the batch.
 */

export type Row = Readonly<Record<string, string | undefined>>;

export interface MapContext {
  tenant: string;
  company: string;
  division: string;
  /** Division currency, used when a row carries an amount without its own currency. */
  localCurrency?: string;
  /** Accounting dimension (M3 AIT1-AIT7) holding the cost center; default 2. */
  costCenterDimension?: number;
}

/** Trimmed value, or undefined when empty. */
export function s(row: Row, field: string): string | undefined {
  const v = row[field]?.trim();
  return v ? v : undefined;
}

/** First non-empty field. */
export function first(row: Row, ...fields: string[]): string | undefined {
  for (const f of fields) {
    const v = s(row, f);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * `YYYYMMDD` (M3 dateformat YMD8) or a CSI `"20261130 00:00:00.000"` → `2026-11-30`.
 * `0`/`00000000` (M3's "no date") → undefined; anything else is returned as-is to fail validation.
 */
export function isoDate(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v || /^0+$/.test(v)) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})(?:[ T].*)?$/.exec(v) ?? /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  if (!m) return v;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * Decimal text as M3/CSI write it: "1234.50", "-10.00", " 12.5", "12.50-" (trailing sign),
 * ".5"; "" → undefined. Anything else is returned as-is to fail validation.
 */
export function decimal(value: string | undefined): string | undefined {
  let v = value?.trim();
  if (!v) return undefined;
  if (/^[\d.]+-$/.test(v)) v = `-${v.slice(0, -1)}`;
  if (v.startsWith(".")) v = `0${v}`;
  if (v.startsWith("-.")) v = `-0${v.slice(1)}`;
  if (v.startsWith("+")) v = v.slice(1);
  return v;
}

/** Integer or NaN (which validation rejects); undefined when empty. */
export function int(value: string | undefined): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  return /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
}

/** Money object; amount may be missing (validation names it). */
export function moneyOf(amount: string | undefined, currency: string | undefined) {
  return { amount: decimal(amount), currency: currency?.trim() };
}

/** Drop undefined properties so exactOptionalPropertyTypes-style schemas see absent keys. */
export function compact<T extends Record<string, unknown>>(obj: T): T {
  for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
  return obj;
}

export interface MapFailure {
  entity: Entity;
  /** Best-effort id from the raw row(s) (e.g. PO number), for quarantine and the ops alert. */
  id: string;
  reason: string;
  issues: { path: string; message: string }[];
  raw: Record<string, unknown>;
}

export type MapOutcome = { ok: true; record: CanonicalRecord } | { ok: false; failure: MapFailure };

/** Validate a draft and wrap the result; never throws. */
export function finish(
  entity: Entity,
  id: string,
  draft: Record<string, unknown>,
  raw: Record<string, unknown>,
  rowError?: string,
): MapOutcome {
  let result: ReturnType<typeof parseRecord>;
  try {
    result = parseRecord(draft);
  } catch (err) {
    result = {
      ok: false,
      reason: `validation crashed: ${(err as Error).message}`,
      issues: [{ path: "", message: (err as Error).message }],
    };
  }
  if (result.ok && !rowError) return { ok: true, record: result.record };
  const issues = result.ok ? [] : result.issues;
  if (rowError) issues.unshift({ path: "(row)", message: rowError });
  const reason = issues.map((i) => `${i.path || "(record)"}: ${i.message}`).join("; ");
  return { ok: false, failure: { entity, id, reason, issues, raw } };
}

/** Run a mapper and turn any unexpected exception into a failure (belt and braces). */
export function safely(
  entity: Entity,
  id: string,
  raw: Record<string, unknown>,
  fn: () => MapOutcome,
): MapOutcome {
  try {
    return fn();
  } catch (err) {
    const message = (err as Error).message;
    return {
      ok: false,
      failure: { entity, id, reason: message, issues: [{ path: "", message }], raw },
    };
  }
}
