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
import { costCenterColumn, latest, ROW_ERROR, scope, voucherOf } from "./m3-common.ts";

/**
 * One GL voucher from its lines (FGLEDG / GLS200MI LstVoucherLines / LstVouchersByDt), all with
 * the same YEA4 + VSER + VONO. AIT1 is the account, AIT2 the cost center (M3 convention; the
 * dimension layout is per division), AIT3-7 go to `dimensions`. The amount is the transaction
 * currency amount CUAM/CUCD; ACAM (local currency) only when CUAM is absent.
 */
/** Period number from CYP6 or ACYP (YYYYPP); M3's empty numeric field "0" is no period. */
function glPeriod(row: Row): number | undefined {
  for (const field of ["CYP6", "ACYP"]) {
    const v = s(row, field);
    if (v && /^\d{6}$/.test(v) && !/^0+$/.test(v)) return int(v.slice(4, 6));
  }
  return undefined;
}

export function mapM3GlVoucher(ctx: MapContext, rows: Row[]): MapOutcome {
  const h = rows[0] ?? {};
  const key = `${s(h, "YEA4") ?? "?"}/${voucherOf(h) ?? s(h, "JRNO") ?? "?"}`;
  return safely("gl_voucher", key, { rows }, () => {
    const period = glPeriod(h);
    const acdt = isoDate(s(h, "ACDT"));
    const rowError = rows.map((r) => r[ROW_ERROR]).find(Boolean);
    const ccColumn = costCenterColumn(ctx);
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
        // The GL period (CYP6/ACYP, YYYYPP) is the ledger's own: a period 13 closing entry or a
        // fiscal year that does not start in January. Only without it, the calendar month.
        period: period ?? (acdt ? Number(acdt.slice(5, 7)) : undefined),
        accountingDate: acdt,
        description: first(h, "VTXT", "VDSC"),
        lines: rows.map((r, i) => {
          const dims: Record<string, string> = {};
          for (let d = 2; d <= 7; d++) {
            const v = s(r, `AIT${d}`);
            if (v && `AIT${d}` !== ccColumn) dims[String(d)] = v;
          }
          const cuam = s(r, "CUAM");
          return {
            line: int(s(r, "JSNO")) ?? i + 1,
            account: s(r, "AIT1"),
            costCenter: s(r, ccColumn),
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
