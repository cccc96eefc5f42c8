import {
  type PurchaseOrder,
  purchaseOrderSchema,
  type SupplierInvoice,
  supplierInvoiceSchema,
} from "../../src/infor/records.ts";

type DeepPartialInput = Record<string, unknown>;

const scope = {
  tenant: "ACME_PRD",
  company: "100",
  division: "AAA",
  source: "m3",
  changedAt: "2026-11-30",
};

/** PO 4500123 from supplier S100: line 10 (100 PCE at 11.90 EUR), line 20 (50 KG at 2.50 per 10). */
export function po(overrides: DeepPartialInput = {}, lines?: DeepPartialInput[]): PurchaseOrder {
  return purchaseOrderSchema.parse({
    entity: "purchase_order",
    ...scope,
    number: "4500123",
    supplierId: "S100",
    status: "released",
    orderDate: "2026-11-01",
    currency: "EUR",
    total: { amount: "1202.50", currency: "EUR" },
    costCenter: "CC-PO",
    lines: lines ?? [
      poLine({ line: 10 }),
      poLine({
        line: 20,
        item: "BOLT",
        orderedQty: "50",
        receivedQty: "50",
        unit: "KG",
        unitPrice: { amount: "2.50", currency: "EUR" },
        pricePer: "10",
        costCenter: "CC-20",
        receipts: [{ id: "R-20", date: "2026-11-10", quantity: "50" }],
      }),
    ],
    ...overrides,
  });
}

export function poLine(overrides: DeepPartialInput = {}): DeepPartialInput {
  return {
    line: 10,
    item: "NUT",
    orderedQty: "100",
    receivedQty: "100",
    unit: "PCE",
    unitPrice: { amount: "11.90", currency: "EUR" },
    costCenter: "CC-10",
    receipts: [{ id: "R-10", date: "2026-11-10", quantity: "100" }],
    ...overrides,
  };
}

export function invLine(overrides: DeepPartialInput = {}): DeepPartialInput {
  return {
    line: 1,
    poLine: 10,
    quantity: "10",
    unit: "PCE",
    unitPrice: { amount: "11.90", currency: "EUR" },
    amount: { amount: "119.00", currency: "EUR" },
    ...overrides,
  };
}

export function invoice(
  overrides: DeepPartialInput = {},
  lines?: DeepPartialInput[],
): SupplierInvoice {
  return supplierInvoiceSchema.parse({
    entity: "supplier_invoice",
    ...scope,
    supplierId: "S100",
    supplierName: "Bolts & Nuts BV",
    invoiceNumber: "INV-1001",
    invoiceDate: "2026-11-28",
    status: "entry",
    total: { amount: "119.00", currency: "EUR" },
    poNumber: "4500123",
    lines: lines ?? [invLine()],
    ...overrides,
  });
}
