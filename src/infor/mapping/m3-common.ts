import { decimal, first, isoDate, type MapContext, type Row, s } from "./fields.ts";

/** Shared by the M3 mappers (pure). */

export const ROW_ERROR = "_ROW_ERROR";

export function scope(ctx: MapContext, row: Row, ...dateFields: string[]) {
  return {
    tenant: ctx.tenant,
    company: s(row, "CONO") ?? ctx.company,
    division: s(row, "DIVI") ?? ctx.division,
    source: "m3" as const,
    changedAt: isoDate(first(row, ...dateFields, "LMDT", "RGDT")),
    changedBy: s(row, "CHID"),
  };
}

/** Latest ISO date among rows (M3 LMDT is date-only). */
export function latest(dates: (string | undefined)[]): string | undefined {
  let max: string | undefined;
  for (const d of dates) if (d && /^\d{4}-\d{2}-\d{2}$/.test(d) && (!max || d > max)) max = d;
  return max;
}

/** A voucher reference as M3 shows it: series + number (VSER VONO), if a voucher exists. */
export function voucherOf(row: Row): string | undefined {
  const vono = s(row, "VONO");
  if (!vono || /^0+$/.test(vono)) return undefined;
  const vser = s(row, "VSER");
  return vser ? `${vser}-${vono}` : vono;
}

/** The cost-center column of an M3 row: AIT<n> for the company's cost-center dimension. */
export function costCenterColumn(ctx: MapContext): string {
  const n = ctx.costCenterDimension ?? 2;
  return `AIT${n >= 1 && n <= 7 ? n : 2}`;
}

export function unsigned(amount: string | undefined): string | undefined {
  const v = decimal(amount);
  return v?.startsWith("-") ? v.slice(1) : v;
}

export function isNegative(amount: string | undefined): boolean {
  return amount?.trim().startsWith("-") === true;
}
