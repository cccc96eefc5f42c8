import type { InvoiceLine, PoLine, PurchaseOrder, SupplierInvoice } from "../infor/records.ts";

/**
 * The cost center that owns an invoice line: the PO line's coding is what the budget owner
 * approved when ordering, so it wins; then the line's own coding on the invoice; then the
 * invoice header; then the PO header.
 */
export function lineOwner(
  invoice: SupplierInvoice,
  line: InvoiceLine | undefined,
  poLine: PoLine | undefined,
  po: PurchaseOrder | undefined,
): string | undefined {
  return (
    nonEmpty(poLine?.costCenter) ??
    nonEmpty(line?.costCenter) ??
    nonEmpty(invoice.costCenter) ??
    nonEmpty(po?.costCenter)
  );
}

/**
 * Owner of a header-level exception: the invoice header, else the one cost center all lines
 * share, else the PO header. Several different line owners and no header coding → undefined
 * (routing then falls back to the default channel and counts it as unrouted).
 */
export function headerOwner(
  invoice: SupplierInvoice,
  lineOwners: readonly (string | undefined)[],
  po: PurchaseOrder | undefined,
): string | undefined {
  const header = nonEmpty(invoice.costCenter);
  if (header) return header;
  const distinct = new Set(lineOwners.filter((o): o is string => o !== undefined));
  if (distinct.size === 1) return [...distinct][0];
  if (distinct.size > 1) return undefined;
  return nonEmpty(po?.costCenter);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
