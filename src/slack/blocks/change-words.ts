import type { FieldChange } from "../../alerts/alert.ts";
import { SUPA_LABELS } from "../../infor/mapping/m3-status.ts";
import type { CanonicalRecord } from "../../infor/records.ts";

/**
 * Field changes in a finance person's words. Sync names changes by their canonical paths
 * (`statusCode`, `lines[10].invoicedQty`, `total.amount`); a thread reply says "ERP status:
 * Invoice matching recoding failed → Approved" and "Line 10: invoiced 150 → 170 EA". Pure.
 */
export interface ChangeLine {
  /** "Line 10", "Total", "ERP status" */
  label: string;
  /** "invoiced 150 → 170 EA", "12,345.60 EUR → 12,400.00 EUR" */
  text: string;
}

const FIELD_WORDS: Readonly<Record<string, string>> = {
  status: "Status",
  statusCode: "ERP status",
  statusText: "ERP status",
  total: "Total",
  vat: "VAT",
  amount: "amount",
  dueDate: "Due date",
  invoiceDate: "Invoice date",
  accountingDate: "Accounting date",
  deliveryDate: "Delivery date",
  orderDate: "Order date",
  paymentDate: "Payment date",
  poNumber: "PO",
  costCenter: "Cost center",
  supplierId: "Supplier",
  supplierName: "Supplier name",
  batchNumber: "Batch",
  voucher: "Voucher",
  buyer: "Buyer",
  currency: "Currency",
  credit: "Credit note",
  invoicedQty: "invoiced",
  receivedQty: "received",
  orderedQty: "ordered",
  quantity: "quantity",
  unitPrice: "unit price",
  pricePer: "price per",
  description: "description",
  item: "item",
  unit: "unit",
  receipts: "receipts",
  poLine: "PO line",
};

const STATUS_WORDS: Readonly<Record<string, string>> = {
  entry: "in entry",
  approval: "waiting for approval",
  approved: "approved",
  rejected: "rejected",
  posted: "posted",
  paid: "paid",
  cancelled: "cancelled",
};

function words(name: string): string {
  const known = FIELD_WORDS[name];
  if (known) return known;
  const spaced = name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function arrow(from: string | undefined, to: string | undefined): string {
  if (from === undefined) return `now ${to ?? "—"}`;
  if (to === undefined) return `was ${from}, removed`;
  return `${from} → ${to}`;
}

function unitOfLine(record: CanonicalRecord | undefined, line: string): string | undefined {
  if (!record || !("lines" in record)) return undefined;
  const lines = record.lines as readonly { line: number; unit?: string }[];
  return lines.find((l) => String(l.line) === line.split("/")[0])?.unit;
}

function statusLabel(record: CanonicalRecord | undefined, code: string | undefined) {
  if (code === undefined) return undefined;
  if (record?.source === "m3" && record.entity === "supplier_invoice") {
    return SUPA_LABELS[code] ?? code;
  }
  return code;
}

export function changeLine(c: FieldChange, record?: CanonicalRecord): ChangeLine {
  const line = /^lines\[([^\]]+)\](?:\.(.+))?$/.exec(c.field);
  if (line) {
    const [, id = "", rest] = line;
    const label = `Line ${id}`;
    if (!rest) {
      if (c.from === undefined) return { label, text: `added (${c.to ?? "—"})` };
      if (c.to === undefined) return { label, text: "removed" };
      return { label, text: arrow(c.from, c.to) };
    }
    const field = rest.replace(/\.amount$/, "").replace(/\[.*$/, "");
    const qty = /Qty$|^quantity$/.test(field);
    const unit = qty ? unitOfLine(record, id) : undefined;
    return { label, text: `${words(field)} ${arrow(c.from, c.to)}${unit ? ` ${unit}` : ""}` };
  }
  const top = c.field.replace(/\.amount$/, "");
  if (top === "statusCode") {
    return {
      label: "ERP status",
      text: arrow(statusLabel(record, c.from), statusLabel(record, c.to)),
    };
  }
  if (top === "status") {
    const w = (s: string | undefined) => (s === undefined ? s : (STATUS_WORDS[s] ?? s));
    return { label: "Status", text: arrow(w(c.from), w(c.to)) };
  }
  return { label: words(top), text: arrow(c.from, c.to) };
}

/**
 * The lines of a change reply, one per change. A code and its ERP label changing together say
 * the same thing twice: the label wins.
 */
export function changeLines(
  changes: readonly FieldChange[],
  record?: CanonicalRecord,
): ChangeLine[] {
  const hasText = changes.some((c) => c.field === "statusText");
  return changes
    .filter((c) => !(hasText && c.field === "statusCode"))
    .map((c) => changeLine(c, record));
}
