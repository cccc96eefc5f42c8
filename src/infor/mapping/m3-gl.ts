import {
  finish,
  first,
  int,
  isoDate,
  type MapContext,
  type MapOutcome,
  moneyOf,
  type Row,
  s,
  safely,
} from "./fields.ts";
import { latest, ROW_ERROR, scope, voucherOf } from "./m3-common.ts";

/**
 * One GL voucher from its lines (FGLEDG / GLS200MI LstVoucherLines / LstVouchersByDt), all with
 * the same YEA4 + VSER + VONO. AIT1 is the account, AIT2 the cost center (M3 convention; the
 * dimension layout is per division), AIT3-7 go to `dimensions`. The amount is the transaction
 * currency amount CUAM/CUCD; ACAM (local currency) only when CUAM is absent.
 */
export function mapM3GlVoucher(ctx: MapContext, rows: Row[]): MapOutcome {
  const h = rows[0] ?? {};
  const key = `${s(h, "YEA4") ?? "?"}/${voucherOf(h) ?? s(h, "JRNO") ?? "?"}`;
  return safely("gl_voucher", key, { rows }, () => {
    const period = first(h, "CYP6", "ACYP");
    const acdt = isoDate(s(h, "ACDT"));
    const rowError = rows.map((r) => r[ROW_ERROR]).find(Boolean);
    return finish(
      "gl_voucher",
      key,
      {
        entity: "gl_voucher",
        ...scope(ctx, h),
        changedAt: latest(rows.map((r) => isoDate(first(r, "LMDT", "RGDT")))),
        voucher: s(h, "VONO") ?? s(h, "JRNO"),
        series: s(h, "VSER") ?? "",
        year: int(s(h, "YEA4")),
        period:
          period && period.length >= 6
            ? int(period.slice(4, 6))
            : acdt
              ? Number(acdt.slice(5, 7))
              : undefined,
        accountingDate: acdt,
        description: first(h, "VTXT", "VDSC"),
        lines: rows.map((r, i) => {
          const dims: Record<string, string> = {};
          for (let d = 3; d <= 7; d++) {
            const v = s(r, `AIT${d}`);
            if (v) dims[String(d)] = v;
          }
          const cuam = s(r, "CUAM");
          return {
            line: int(s(r, "JSNO")) ?? i + 1,
            account: s(r, "AIT1"),
            costCenter: s(r, "AIT2"),
            dimensions: dims,
            amount:
              cuam !== undefined
                ? moneyOf(cuam, s(r, "CUCD") ?? ctx.localCurrency)
                : moneyOf(s(r, "ACAM"), ctx.localCurrency),
            text: first(r, "VTXT", "TDSC"),
          };
        }),
      },
      { rows },
      rowError,
    );
  });
}
