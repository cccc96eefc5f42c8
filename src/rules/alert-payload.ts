import type { ExceptionPayload } from "../alerts/alert.ts";
import type { MatchException, Severity } from "./exception.ts";

/**
 * A match exception as the delivery side's destination-neutral `exception` payload. Facts that
 * only serve the lifecycle (raw amounts, keys, receipt ids) stay out of what people see.
 */
const SEVERITY: Readonly<Record<Severity, ExceptionPayload["severity"]>> = {
  high: "critical",
  medium: "warning",
  low: "info",
};

/** Shown facts, in display order, with their labels. */
const LABELS: readonly (readonly [string, string])[] = [
  ["invoicePrice", "Invoice price"],
  ["poPrice", "PO price"],
  ["variancePercent", "Variance"],
  ["varianceAmount", "Variance amount"],
  ["tolerance", "Tolerance"],
  ["quantity", "Quantity"],
  ["invoicedQty", "Invoiced"],
  ["creditedQty", "Credited"],
  ["priorInvoicedQty", "Invoiced before"],
  ["receivedQty", "Received"],
  ["orderedQty", "Ordered"],
  ["excessQty", "Excess"],
  ["invoiceCurrency", "Invoice currency"],
  ["poCurrency", "PO currency"],
  ["lineCurrency", "Line currency"],
  ["invoiceUnit", "Invoice unit"],
  ["poUnit", "PO unit"],
  ["poSupplierId", "PO supplier"],
  ["amount", "Amount"],
  ["total", "Total"],
  ["otherInvoiceNumber", "Other invoice"],
  ["otherInvoiceDate", "Other invoice date"],
  ["otherTotal", "Other invoice total"],
  ["otherStatus", "Other invoice status"],
  ["daysApart", "Days apart"],
];

export function exceptionPayload(e: MatchException): ExceptionPayload {
  const details: { label: string; value: string }[] = [];
  if (e.ref.poNumber) {
    const line = e.ref.poLine === undefined ? "" : ` line ${e.ref.poLine}`;
    const sub = e.ref.poSubLine ? `/${e.ref.poSubLine}` : "";
    details.push({ label: "Purchase order", value: `${e.ref.poNumber}${line}${sub}` });
  }
  for (const [key, label] of LABELS) {
    const value = e.facts[key];
    if (value !== undefined && value !== "") details.push({ label, value });
  }
  return {
    type: e.rule,
    title: e.title,
    severity: SEVERITY[e.severity],
    summary: e.cause,
    details,
    amount: e.amountAtStake,
  };
}
