import type { TenantData } from "../data/model.ts";
import type { M3Access } from "./access.ts";
import { MiError } from "./errors.ts";

export interface MiContext {
  data: TenantData;
  /** Input fields by upper-case code, values as sent (right-trimmed). */
  input: Record<string, string>;
  /** Session company (`cono` context parameter or the user default 100). */
  cono: number;
  /** Session division (`divi` context parameter), may be blank. */
  divi: string;
  /** 0 = no limit. */
  maxrecs: number;
  /** What the service account may read (strict mode). */
  access: M3Access;
}

export type MiRecord = Record<string, string>;
export type MiHandler = (ctx: MiContext) => MiRecord[];

export function opt(ctx: MiContext, field: string): string {
  return (ctx.input[field] ?? "").trim();
}

export function need(ctx: MiContext, field: string, label: string): string {
  const value = opt(ctx, field);
  if (value === "")
    throw new MiError(`${label} must be entered`, "XMA0001", field, "MandatoryInputFieldNotFound");
  return value;
}

export function companyOf(ctx: MiContext): number {
  const text = opt(ctx, "CONO");
  return text === "" ? ctx.cono : Number(text);
}

/** Division from the input, else the session, else the company's first division (user default). */
export function divisionOf(ctx: MiContext): string {
  const text = opt(ctx, "DIVI") || ctx.divi;
  if (text !== "") return text;
  const cono = companyOf(ctx);
  return ctx.data.divisions.find((d) => d.cono === cono)?.divi ?? "";
}

export function limit<T>(rows: T[], ctx: MiContext): T[] {
  return ctx.maxrecs > 0 ? rows.slice(0, ctx.maxrecs) : rows;
}

export const num = (value: number): string => String(value);
