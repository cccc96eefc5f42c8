import type { InvoiceLine, PoLine, SupplierInvoice } from "../infor/records.ts";
import { recordKey } from "../infor/records.ts";
import {
  abs,
  add,
  cmp,
  type Decimal,
  dec,
  isZero,
  neg,
  sign,
  sub,
  sum,
} from "../shared/decimal.ts";
import type { InvoicedQtyCountedAt } from "./match-policy.ts";

/** Invoices that no longer claim money: they count neither as duplicates nor as invoiced. */
const DEAD_STATUSES = new Set(["cancelled", "rejected"]);
/**
 * Statuses in which the ERP has already added the invoice to the PO line's invoiced quantity:
 * from posting on, or (a tenant that counts at entry) in every live status.
 */
const COUNTED_STATUSES: Record<InvoicedQtyCountedAt, ReadonlySet<string>> = {
  posting: new Set(["posted", "paid"]),
  entry: new Set(["entry", "approval", "approved", "posted", "paid"]),
};

/** True when the PO line's invoicedQty already includes this invoice. */
export function countedInPoLine(
  invoice: SupplierInvoice,
  countedAt: InvoicedQtyCountedAt,
): boolean {
  return COUNTED_STATUSES[countedAt].has(invoice.status);
}

export function isLive(invoice: SupplierInvoice): boolean {
  return !DEAD_STATUSES.has(invoice.status);
}

export function isCreditInvoice(invoice: SupplierInvoice): boolean {
  return invoice.credit || sign(dec(invoice.total.amount)) < 0;
}

/** Quantity a line adds to the PO line's invoiced quantity (credit lines subtract). */
export function signedLineQty(invoice: SupplierInvoice, line: InvoiceLine): Decimal {
  const qty = abs(dec(line.quantity));
  const credit =
    isCreditInvoice(invoice) || sign(dec(line.quantity)) < 0 || sign(dec(line.amount.amount)) < 0;
  return credit ? neg(qty) : qty;
}

/**
 * Received quantity of a PO line. The line's receivedQty (M3 RVQA) is the ERP's own total; the
 * receipts list can be newer than the line record within one poll, so the larger of the two wins.
 */
export function receivedQty(poLine: PoLine): Decimal {
  const fromLine = dec(poLine.receivedQty);
  const fromReceipts = sum(poLine.receipts.map((r) => dec(r.quantity)));
  return cmp(fromReceipts, fromLine) > 0 ? fromReceipts : fromLine;
}

export interface PoLineRef {
  readonly poNumber: string;
  readonly line: number;
  readonly subLine: number;
}

export function refersTo(invoice: SupplierInvoice, line: InvoiceLine, ref: PoLineRef): boolean {
  const po = line.poNumber ?? invoice.poNumber;
  return po === ref.poNumber && line.poLine === ref.line && (line.poSubLine ?? 0) === ref.subLine;
}

/**
 * Quantity invoiced on a PO line before this invoice. Two sources overlap: the PO line's
 * invoicedQty (which includes this invoice once the ERP counted it: see `countedAt`) and the
 * other live invoices of the supplier that we were given. The invoice itself is taken out of the
 * first and never in the second, and taking the larger of the two avoids counting another
 * invoice twice while still working when either source is missing. Never below zero.
 */
export function priorInvoicedQty(
  invoice: SupplierInvoice,
  poLine: PoLine,
  ref: PoLineRef,
  otherInvoices: readonly SupplierInvoice[],
  countedAt: InvoicedQtyCountedAt = "posting",
): Decimal {
  const ownKey = recordKey(invoice);
  const thisInvoiceQty = sum(
    invoice.lines.filter((l) => refersTo(invoice, l, ref)).map((l) => signedLineQty(invoice, l)),
  );
  const fromPoLine = countedInPoLine(invoice, countedAt)
    ? sub(dec(poLine.invoicedQty), thisInvoiceQty)
    : dec(poLine.invoicedQty);
  // Loops, not filter/flatMap: this runs per PO line for each of the supplier's other invoices
  // and each of their lines (bench/scenarios/pipeline.ts). The same lines, added in the same order.
  let fromOthers = dec(0);
  for (const o of otherInvoices) {
    if (!isLive(o) || o.supplierId !== invoice.supplierId) continue;
    let own: boolean | undefined;
    for (const l of o.lines) {
      if (!refersTo(o, l, ref)) continue;
      own ??= recordKey(o) === ownKey;
      if (own) break;
      fromOthers = add(fromOthers, signedLineQty(o, l));
    }
  }
  const prior = cmp(fromOthers, fromPoLine) > 0 ? fromOthers : fromPoLine;
  return sign(prior) < 0 || isZero(prior) ? dec(0) : prior;
}
