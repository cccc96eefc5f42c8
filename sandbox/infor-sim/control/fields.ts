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

/** Copies M3-coded fields onto a record whose properties are the lower-case codes. */
export function assign(target: object, fields: Fields, skip: string[] = []): void {
  const record = target as Record<string, unknown>;
  for (const [code, value] of Object.entries(fields)) {
    if (skip.includes(code) || code === "tenant" || code === "lines") continue;
    const prop = code.toLowerCase();
    if (!(prop in record))
      throw new ControlError("unknown_field", `field ${code} is not known for this record`);
    record[prop] = NUMERIC.has(prop) ? Number(value) : String(value);
  }
}

export interface UpsertContext {
  data: TenantData;
  /** Sim date YYYYMMDD: LMDT of every change, RGDT of new records. */
  today: string;
}
