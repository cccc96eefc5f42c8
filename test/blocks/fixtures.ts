import type { PurchaseOrder, SupplierInvoice } from "../../src/infor/records.ts";
import { parseRecord } from "../../src/infor/records.ts";

export function invoice(over: Record<string, unknown> = {}): SupplierInvoice {
  const r = parseRecord({
    entity: "supplier_invoice",
    tenant: "ACME_PRD",
    company: "100",
    division: "AAA",
    source: "m3",
    changedAt: "2026-11-30",
    supplierId: "S1001",
    supplierName: "Nordic Paper AB",
    invoiceNumber: "INV-77",
    invoiceDate: "2026-11-28",
    dueDate: "2026-12-28",
    status: "approval",
    total: { amount: "12345.6", currency: "EUR" },
    costCenter: "CC-410",
    poNumber: "4500123",
    lines: [],
    ...over,
  });
  if (!r.ok || r.record.entity !== "supplier_invoice")
    throw new Error(r.ok ? "wrong entity" : r.reason);
  return r.record;
}

export function purchaseOrder(lines: number, over: Record<string, unknown> = {}): PurchaseOrder {
  const r = parseRecord({
    entity: "purchase_order",
    tenant: "ACME_PRD",
    company: "100",
    division: "",
    source: "syteline",
    changedAt: "2026-11-30",
    number: "4500123",
    supplierId: "S1001",
    supplierName: "Nordic Paper AB",
    status: "Released",
    orderDate: "2026-11-01",
    currency: "SEK",
    total: { amount: "99.5", currency: "SEK" },
    lines: Array.from({ length: lines }, (_, i) => ({
      line: i + 1,
      description: `Item ${i + 1} with a reasonably long description to eat characters`,
      orderedQty: "10",
      receivedQty: "5",
      unit: "PCS",
      unitPrice: { amount: "1.5", currency: "SEK" },
    })),
    ...over,
  });
  if (!r.ok || r.record.entity !== "purchase_order")
    throw new Error(r.ok ? "wrong entity" : r.reason);
  return r.record;
}
