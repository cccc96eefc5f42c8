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
  costCenterColumn,
  isNegative,
  ROW_ERROR,
  scope,
  unsigned,
  voucherOf,
} from "./m3-common.ts";
import {
  invoiceStatusFromSupa,
  ledgerInvoiceStatus,
  paidFromLedger,
  supaLabel,
} from "./m3-status.ts";

function single(values: (string | undefined)[]): string | undefined {
  const distinct = new Set(values.filter((v): v is string => !!v));
  return distinct.size === 1 ? [...distinct][0] : undefined;
}

/** M3's empty numeric field is 0: a price quantity of 0 means "not given". */
function priceQuantity(value: string | undefined): string | undefined {
  const v = decimal(value);
  return v === undefined || /^-?0*(\.0*)?$/.test(v) ? undefined : v;
}

/**
 * Supplier invoice from its batch: FAPIBH (APS450MI GetHead) + FAPIBL (LstLines). `payments` are
 * the AP ledger rows (FPLEDG TRCD 50) booked against it once it is updated in APL (SUPA 90): the
 * posted view of the same invoice, which turns it "paid" when they cover its amount. `glLines`
 * are the GL lines (FGLEDG) of its voucher: their cost center is used when the batch lines carry
 * none (whether M3 codes PO-matched batch lines is tenant setup; the posted voucher always is).
 */
export function mapM3InvoiceBatch(
  ctx: MapContext,
  head: Row,
  lines: Row[],
  payments: Row[] = [],
  glLines: Row[] = [],
): MapOutcome {
  const key = `${s(head, "SUNO") ?? "?"}/${s(head, "SINO") ?? "?"}#${s(head, "INBN") ?? ""}`;
  const raw = { head, lines };
  return safely("supplier_invoice", key, raw, () => {
    const currency = s(head, "CUCD") ?? ctx.localCurrency;
    const total = decimal(s(head, "CUAM"));
    const rejected = Boolean(isoDate(s(head, "REJD")) || s(head, "SCRE"));
    const supaStatus = invoiceStatusFromSupa(s(head, "SUPA"), rejected);
    const paid =
      supaStatus === "posted" &&
      paidFromLedger(
        s(head, "CUAM"),
        payments.map((p) => s(p, "CUAM") ?? ""),
      );
    const vat = decimal(s(head, "VTAM"));
    const rowError = [head, ...lines].map((r) => r[ROW_ERROR]).find(Boolean);
    const ccColumn = costCenterColumn(ctx);
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
        status: paid ? "paid" : supaStatus,
        statusCode: s(head, "SUPA"),
        statusText: rejected ? "Rejected" : paid ? "Paid" : supaLabel(s(head, "SUPA")),
        total: { amount: total, currency },
        vat: vat !== undefined ? { amount: vat, currency } : undefined,
        poNumber: s(head, "PUNO"),
        credit: isNegative(total),
        ...(s(head, "IBTP") === "25" ? { recode: true } : {}),
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
            // Gross price GRPR against the PO's gross PUPR: like with like (NEPR is net of
            // discounts, which the PO line's PUPR is not).
            unitPrice: moneyOf(first(l, "GRPR", "NEPR") ?? "0", lineCurrency),
            pricePer: priceQuantity(s(l, "PUCD")),
            priceUnit: s(l, "PPUN"),
            amount: moneyOf(first(l, "NLAM", "GLAM"), lineCurrency),
            account: s(l, "AIT1"),
            costCenter: s(l, ccColumn),
          };
        }),
        // The invoice's own coding only: lines on several cost centers leave the header blank
        // (routing then uses each line's, see rules/routing.ts).
        costCenter:
          single(lines.map((l) => s(l, ccColumn))) ?? single(glLines.map((g) => s(g, ccColumn))),
      },
      raw,
      rowError,
    );
  });
}

/**
 * Posted supplier invoice from the AP ledger (FPLEDG TRCD 40 / APS200MI GetInvTotInfo), for an
 * invoice whose batch is no longer in FAPIBH. Paid when the outstanding amount OCUA is zero, or
 * when the ledger's payment rows (`payments`, TRCD 50) cover its amount.
 */
export function mapM3LedgerInvoice(ctx: MapContext, row: Row, payments: Row[] = []): MapOutcome {
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
        status:
          ledgerInvoiceStatus(s(row, "OCUA")) === "paid" ||
          paidFromLedger(
            s(row, "CUAM"),
            payments.map((p) => s(p, "CUAM") ?? ""),
          )
            ? "paid"
            : "posted",
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
