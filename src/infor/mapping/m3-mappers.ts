import { dec, sum, toFixed } from "../../shared/decimal.ts";
import {
  decimal,
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
import {
  invoiceStatusFromSupa,
  ledgerInvoiceStatus,
  poStatusWord,
  supplierStatusWord,
} from "./m3-status.ts";

/**
 * M3 rows → canonical records (pure; never throw). Rows use MI field codes without table prefix:
 * MI list/get transactions give them directly and `exportSelect` strips the EXPORTMI prefixes
 * (CIDMAS ID, MPHEAD IA, MPLINE IB, MPLIND IC, FAPIBH E5, FAPIBL E6, FPLEDG EP, FGLEDG EG,
 * FCHACC EA). Field meanings from the M3 API v2 swagger (m3-fields.md).
 */

const ROW_ERROR = "_ROW_ERROR";

function scope(ctx: MapContext, row: Row, ...dateFields: string[]) {
  return {
    tenant: ctx.tenant,
    company: s(row, "CONO") ?? ctx.company,
    division: s(row, "DIVI") ?? ctx.division,
    source: "m3" as const,
    changedAt: isoDate(first(row, ...dateFields, "LMDT", "RGDT")),
    changedBy: s(row, "CHID"),
  };
}

/** CIDMAS / CRS620MI GetBasicData or LstSuppliers (+ CIDVEN fields when merged in). */
export function mapM3Supplier(ctx: MapContext, row: Row): MapOutcome {
  const key = s(row, "SUNO") ?? "?";
  return safely("supplier", key, row, () => {
    const st = supplierStatusWord(s(row, "STAT"));
    return finish(
      "supplier",
      key,
      {
        entity: "supplier",
        ...scope(ctx, row),
        id: s(row, "SUNO"),
        name: s(row, "SUNM") ?? "",
        status: st.status,
        blocked: st.blocked,
        currency: s(row, "CUCD"),
        country: s(row, "CSCD"),
        vatNumber: s(row, "VRNO"),
        paymentTerms: s(row, "TEPY"),
      },
      row,
      row[ROW_ERROR],
    );
  });
}

/** CRS630MI/LstAccountID or FCHACC: AITP 1 = GL account, 2 = cost center (M3 convention). */
export function mapM3Account(ctx: MapContext, row: Row): MapOutcome {
  const key = `${s(row, "AITP") ?? "?"}/${s(row, "AITM") ?? "?"}`;
  return safely("account", key, row, () =>
    finish(
      "account",
      key,
      {
        entity: "account",
        ...scope(ctx, row),
        dimension: int(s(row, "AITP")),
        id: s(row, "AITM"),
        name: first(row, "TX40", "TX15") ?? "",
        // LCCD "Blocked accounting identity" (1 = blocked).
        status: s(row, "LCCD") === "1" ? "blocked" : "active",
      },
      row,
      row[ROW_ERROR],
    ),
  );
}

/** Latest ISO date among rows (M3 LMDT is date-only). */
function latest(dates: (string | undefined)[]): string | undefined {
  let max: string | undefined;
  for (const d of dates) if (d && /^\d{4}-\d{2}-\d{2}$/.test(d) && (!max || d > max)) max = d;
  return max;
}

/**
 * A PO from its head (MPHEAD / PPS200MI GetHead / PPS001MI GetHeadBasic), lines (MPLINE /
 * PPS200MI LstLine) and receipts (MPLIND / PPS200MI LstReceiptsByPO). changedAt is the latest
 * change date of any part, since a receipt changes the PO's state without touching its head.
 */
export function mapM3PurchaseOrder(
  ctx: MapContext,
  head: Row,
  lines: Row[],
  receipts: Row[],
): MapOutcome {
  const key = s(head, "PUNO") ?? "?";
  const raw = { head, lines, receipts };
  return safely("purchase_order", key, raw, () => {
    const currency = s(head, "CUCD") ?? ctx.localCurrency;
    const byLine = new Map<string, Row[]>();
    for (const r of receipts) {
      const k = `${int(s(r, "PNLI")) ?? 0}/${int(s(r, "PNLS")) ?? 0}`;
      const list = byLine.get(k) ?? [];
      list.push(r);
      byLine.set(k, list);
    }
    const mappedLines = lines.map((l) => {
      const k = `${int(s(l, "PNLI")) ?? 0}/${int(s(l, "PNLS")) ?? 0}`;
      return {
        line: int(s(l, "PNLI")),
        subLine: int(s(l, "PNLS")) ?? 0,
        item: s(l, "ITNO") ?? "",
        description: first(l, "PITD", "ITDS") ?? "",
        orderedQty: decimal(first(l, "ORQA", "ORQT")) ?? "0",
        receivedQty: decimal(first(l, "RVQA", "RVQT")) ?? "0",
        invoicedQty: decimal(s(l, "IVQA")) ?? "0",
        unit: first(l, "PUUN", "PPUN") ?? "",
        unitPrice: moneyOf(first(l, "PUPR", "CPPR"), currency),
        pricePer: decimal(s(l, "PUCD")) ?? "1",
        receipts: (byLine.get(k) ?? []).map((r) => ({
          id: first(r, "REPN") ?? `${s(r, "PNLX") ?? ""}`,
          date: isoDate(first(r, "TRDT", "RGDT")),
          quantity: decimal(first(r, "RPQA", "RPQT")),
        })),
      };
    });
    let total = decimal(first(head, "NTAM", "COAM"));
    if (total === undefined && lines.length > 0) {
      try {
        total = toFixed(sum(lines.map((l) => dec(decimal(s(l, "LNAM")) ?? "0"))));
      } catch {
        total = undefined; // validation reports the missing total
      }
    }
    const pusl = s(head, "PUSL");
    const pust = s(head, "PUST");
    const sc = scope(ctx, head, "PUDT");
    sc.changedAt = latest([
      isoDate(first(head, "LMDT", "RGDT", "PUDT")),
      ...lines.map((l) => isoDate(s(l, "LMDT"))),
      ...receipts.map((r) => isoDate(s(r, "LMDT"))),
    ]);
    const rowError = [head, ...lines, ...receipts].map((r) => r[ROW_ERROR]).find(Boolean);
    return finish(
      "purchase_order",
      key,
      {
        entity: "purchase_order",
        ...sc,
        number: s(head, "PUNO"),
        supplierId: s(head, "SUNO"),
        status: poStatusWord(pusl),
        statusCode: pusl || pust ? `${pusl ?? ""}-${pust ?? ""}` : undefined,
        buyer: s(head, "BUYE") ?? "",
        orderDate: isoDate(s(head, "PUDT")),
        deliveryDate: isoDate(s(head, "DWDT")),
        currency,
        total: { amount: total, currency },
        lines: mappedLines,
      },
      raw,
      rowError,
    );
  });
}

/** A voucher reference as M3 shows it: series + number (VSER VONO), if a voucher exists. */
function voucherOf(row: Row): string | undefined {
  const vono = s(row, "VONO");
  if (!vono || /^0+$/.test(vono)) return undefined;
  const vser = s(row, "VSER");
  return vser ? `${vser}-${vono}` : vono;
}

function unsigned(amount: string | undefined): string | undefined {
  const v = decimal(amount);
  return v?.startsWith("-") ? v.slice(1) : v;
}

function isNegative(amount: string | undefined): boolean {
  return amount?.trim().startsWith("-") === true;
}

/** Supplier invoice in entry/approval from FAPIBH (APS450MI GetHead) + FAPIBL (LstLines). */
export function mapM3InvoiceBatch(ctx: MapContext, head: Row, lines: Row[]): MapOutcome {
  const key = `${s(head, "SUNO") ?? "?"}/${s(head, "SINO") ?? "?"}#${s(head, "INBN") ?? ""}`;
  const raw = { head, lines };
  return safely("supplier_invoice", key, raw, () => {
    const currency = s(head, "CUCD") ?? ctx.localCurrency;
    const total = decimal(s(head, "CUAM"));
    const rejected = Boolean(isoDate(s(head, "REJD")) || s(head, "SCRE"));
    const vat = decimal(s(head, "VTAM"));
    const rowError = [head, ...lines].map((r) => r[ROW_ERROR]).find(Boolean);
    return finish(
      "supplier_invoice",
      key,
      {
        entity: "supplier_invoice",
        ...scope(ctx, head),
        supplierId: s(head, "SUNO"),
        invoiceNumber: s(head, "SINO"),
        batchNumber: s(head, "INBN"),
        invoiceDate: isoDate(s(head, "IVDT")),
        dueDate: isoDate(s(head, "DUDT")),
        accountingDate: isoDate(s(head, "ACDT")),
        status: invoiceStatusFromSupa(s(head, "SUPA"), rejected),
        statusCode: s(head, "SUPA"),
        total: { amount: total, currency },
        vat: vat !== undefined ? { amount: vat, currency } : undefined,
        poNumber: s(head, "PUNO"),
        credit: isNegative(total),
        authorizedUser: s(head, "APCD"),
        voucher: voucherOf(head),
        lines: lines.map((l) => {
          const lineCurrency = s(l, "CUCD") ?? currency;
          return {
            line: int(s(l, "TRNO")),
            poNumber: s(l, "PUNO"),
            poLine: int(s(l, "PNLI")),
            poSubLine: int(s(l, "PNLS")),
            item: s(l, "ITNO"),
            quantity: decimal(s(l, "IVQA")) ?? "0",
            unit: s(l, "PUUN"),
            unitPrice: moneyOf(first(l, "NEPR", "GRPR") ?? "0", lineCurrency),
            pricePer: decimal(s(l, "PUCD")) ?? "1",
            amount: moneyOf(first(l, "NLAM", "GLAM"), lineCurrency),
            account: s(l, "AIT1"),
            costCenter: s(l, "AIT2"),
          };
        }),
        costCenter: lines.map((l) => s(l, "AIT2")).find(Boolean),
      },
      raw,
      rowError,
    );
  });
}

/** Posted supplier invoice from the AP ledger (FPLEDG TRCD 40 / APS200MI GetInvTotInfo). */
export function mapM3LedgerInvoice(ctx: MapContext, row: Row): MapOutcome {
  const key = `${s(row, "SUNO") ?? "?"}/${s(row, "SINO") ?? "?"}`;
  return safely("supplier_invoice", key, row, () => {
    const currency = s(row, "CUCD") ?? ctx.localCurrency;
    const total = decimal(s(row, "CUAM"));
    const vat = decimal(s(row, "VTAM"));
    return finish(
      "supplier_invoice",
      key,
      {
        entity: "supplier_invoice",
        ...scope(ctx, row),
        supplierId: s(row, "SUNO"),
        invoiceNumber: s(row, "SINO"),
        invoiceDate: isoDate(s(row, "IVDT")),
        dueDate: isoDate(s(row, "DUDT")),
        accountingDate: isoDate(s(row, "ACDT")),
        status: ledgerInvoiceStatus(s(row, "OCUA")),
        statusCode: s(row, "TRCD"),
        total: { amount: total, currency },
        vat: vat !== undefined ? { amount: vat, currency } : undefined,
        credit: isNegative(total),
        authorizedUser: s(row, "APCD"),
        voucher: voucherOf(row),
      },
      row,
      row[ROW_ERROR],
    );
  });
}

/** Payment: AP ledger row with transaction code 50 (FPLEDG / APS200MI LstInvoiceTrans). */
export function mapM3Payment(ctx: MapContext, row: Row): MapOutcome {
  const ref = [s(row, "YEA4"), s(row, "JRNO"), s(row, "JSNO")];
  const reference = ref.every(Boolean) ? ref.join("-") : voucherOf(row);
  const key = `${s(row, "SUNO") ?? "?"}/${reference ?? "?"}`;
  return safely("payment", key, row, () =>
    finish(
      "payment",
      key,
      {
        entity: "payment",
        ...scope(ctx, row),
        supplierId: s(row, "SUNO"),
        reference,
        invoiceNumber: s(row, "SINO"),
        paymentDate: isoDate(first(row, "ACDT", "IVDT")),
        // The AP ledger stores a payment with the sign opposite to its invoice, and tenants
        // differ in which side is negative: the canonical amount is what was paid (absolute).
        amount: moneyOf(unsigned(s(row, "CUAM")), s(row, "CUCD") ?? ctx.localCurrency),
        method: s(row, "PYME"),
        voucher: voucherOf(row),
      },
      row,
      row[ROW_ERROR],
    ),
  );
}

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
