import type { TenantData } from "../data/model.ts";

/** Control-API error with a stable code. */
export class ControlError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = "ControlError";
    this.code = code;
    this.status = status;
  }
}

export const RECORD_KINDS = [
  "supplier",
  "po",
  "poLine",
  "receipt",
  "invoice",
  "invoiceLine",
  "payment",
  "voucher",
  "account",
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** Fields arrive as M3 codes (`SUNO`, `CUAM`, ...), values as strings or numbers. */
export type Fields = Record<string, unknown>;

const NUMERIC = new Set([
  "cono",
  "pnli",
  "pnls",
  "pnlx",
  "inbn",
  "yea4",
  "jrno",
  "jsno",
  "trno",
  "vono",
  "aitp",
]);

export function text(fields: Fields, code: string): string | undefined {
  const value = fields[code];
  return value === undefined || value === null ? undefined : String(value);
}

export function need(fields: Fields, code: string): string {
  const value = text(fields, code);
  if (value === undefined || value === "")
    throw new ControlError("missing_field", `${code} is required`);
  return value;
}

/**
 * Copies M3-coded fields onto a record whose properties are the lower-case codes. Every code is
 * checked before any is written: a rejected upsert changes nothing.
 */
export function assign(target: object, fields: Fields, skip: string[] = []): void {
  const record = target as Record<string, unknown>;
  const writes = Object.entries(fields).filter(
    ([code]) => !skip.includes(code) && code !== "tenant" && code !== "lines",
  );
  for (const [code] of writes) {
    if (!(code.toLowerCase() in record))
      throw new ControlError("unknown_field", `field ${code} is not known for this record`);
  }
  for (const [code, value] of writes) {
    const prop = code.toLowerCase();
    record[prop] = NUMERIC.has(prop) ? Number(value) : String(value);
  }
}

/**
 * Changes the record found, or makes one and adds it to `list` once its fields are in (so an
 * unknown field leaves no half-made record); LMDT becomes the sim date.
 */
export function put<T extends { lmdt: string }>(
  ctx: UpsertContext,
  list: T[],
  found: T | undefined,
  make: () => T,
  fields: Fields,
  skip: string[] = [],
): T {
  const rec = found ?? make();
  assign(rec, fields, skip);
  if (!found) list.push(rec);
  rec.lmdt = ctx.today;
  return rec;
}

export interface UpsertContext {
  data: TenantData;
  /** Sim date YYYYMMDD: LMDT of every change, RGDT of new records. */
  today: string;
}
