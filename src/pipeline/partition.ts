import type { ChangeEvent } from "../sync/sink.ts";

/**
 * Which change events of a page may be evaluated side by side (the alert sink's `partitionOf`).
 * A supplier's invoices and purchase orders meet in the tracker's state: duplicate checks read
 * the supplier's other invoices, a PO re-evaluates the invoices on it. Those stay in page order,
 * so a page gives the same exceptions whatever the concurrency. Different suppliers share no
 * state the rules read (a commit that did meet another still fails its revision check and is
 * evaluated again); other entities raise no exceptions and only need their own record in order.
 */
export function partitionOf(event: ChangeEvent): string {
  const r = event.record;
  if (r.entity === "supplier_invoice" || r.entity === "purchase_order") {
    return `supplier\u0000${r.tenant}\u0000${r.company}\u0000${r.supplierId}`;
  }
  return `record\u0000${event.recordKey}`;
}
