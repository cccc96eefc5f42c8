import type { PurchaseOrder, Supplier, SupplierInvoice } from "../../../src/infor/records.ts";
import type { LookupService } from "../../../src/slack/lookup-service.ts";

const scope = {
  tenant: "ACME_TST",
  company: "100",
  division: "AAA",
  source: "m3" as const,
  changedAt: "2026-11-30",
};

export const suppliers: Supplier[] = [
  {
    entity: "supplier",
    ...scope,
    id: "10023",
    name: "Acme Tools GmbH",
    status: "active",
    currency: "EUR",
    country: "DE",
    blocked: false,
  },
  {
    entity: "supplier",
    ...scope,
    id: "10024",
    name: "Acme Tooling Ltd",
    status: "active",
    currency: "GBP",
    country: "GB",
    blocked: false,
  },
  {
    entity: "supplier",
    ...scope,
    id: "10025",
    name: "Acme Toolworks",
    status: "blocked",
    country: "US",
    blocked: true,
  },
  {
    entity: "supplier",
    ...scope,
    id: "20001",
    name: "Nordic Paper AB",
    status: "active",
    country: "SE",
    blocked: false,
  },
];

export const purchaseOrder: PurchaseOrder = {
  entity: "purchase_order",
  ...scope,
  number: "4500012345",
  supplierId: "10023",
  supplierName: "Acme Tools GmbH",
  status: "Partly received",
  buyer: "JSMITH",
  orderDate: "2026-11-02",
  deliveryDate: "2026-11-20",
  currency: "EUR",
  total: { amount: "12480.50", currency: "EUR" },
  costCenter: "100",
  lines: [
    {
      line: 10,
      subLine: 0,
      item: "DRILL-18V",
      description: "Cordless drill 18V",
      orderedQty: "40",
      receivedQty: "25",
      invoicedQty: "20",
      unit: "PCS",
      unitPrice: { amount: "249.90", currency: "EUR" },
      pricePer: "1",
      receipts: [],
    },
    {
      line: 20,
      subLine: 0,
      item: "BIT-SET",
      description: "Bit set",
      orderedQty: "100",
      receivedQty: "100",
      invoicedQty: "100",
      unit: "PCS",
      unitPrice: { amount: "24.85", currency: "EUR" },
      pricePer: "1",
      receipts: [],
    },
  ],
};

export function invoice(number: string, supplierId = "10023"): SupplierInvoice {
  return {
    entity: "supplier_invoice",
    ...scope,
    supplierId,
    supplierName: "Acme Tools GmbH",
    invoiceNumber: number,
    invoiceDate: "2026-11-25",
    dueDate: "2026-12-25",
    status: "approval",
    total: { amount: "4998.00", currency: "EUR" },
    poNumber: "4500012345",
    costCenter: "100",
    credit: false,
    lines: [],
  };
}

/** In-memory lookups that count ERP calls, with an optional delay to mimic ION latency. */
export function fakeLookups(options: { delayMs?: number } = {}): LookupService & { calls: number } {
  const wait = () => new Promise((r) => setTimeout(r, options.delayMs ?? 0));
  const svc = {
    calls: 0,
    async getPurchaseOrder(n: string) {
      svc.calls += 1;
      await wait();
      return n === purchaseOrder.number ? purchaseOrder : undefined;
    },
    async findInvoices(q: { number: string; supplier?: string }) {
      svc.calls += 1;
      await wait();
      if (q.number === "FAIL") throw Object.assign(new Error("boom"), { code: "ion_timeout" });
      if (q.number === "DUP" && !q.supplier)
        return [invoice("DUP", "10023"), invoice("DUP", "10024")];
      if (q.number.startsWith("INV")) return [invoice(q.number, q.supplier ?? "10023")];
      return [];
    },
    async searchSuppliers(q: { text: string; byId: boolean }) {
      svc.calls += 1;
      await wait();
      if (q.byId) return suppliers.filter((s) => s.id === q.text);
      const words = q.text.toLowerCase().split(/\s+/);
      return suppliers.filter((s) => words.every((w) => s.name.toLowerCase().includes(w)));
    },
    async supplierActivity() {
      return { invoices: [invoice("INV-1")], payments: [] };
    },
    async findPayments(ref: string) {
      svc.calls += 1;
      await wait();
      return ref === "PAY-1"
        ? [
            {
              entity: "payment" as const,
              ...scope,
              supplierId: "10023",
              reference: "PAY-1",
              invoiceNumber: "INV-1",
              paymentDate: "2026-11-28",
              amount: { amount: "4998.00", currency: "EUR" },
            },
          ]
        : [];
    },
    async glPostings(account: string) {
      svc.calls += 1;
      await wait();
      if (account !== "4010") return [];
      return [
        {
          entity: "gl_voucher" as const,
          ...scope,
          voucher: "7001",
          series: "A",
          accountingDate: "2026-11-10",
          lines: [
            {
              line: 1,
              account: "4010",
              dimensions: {},
              amount: { amount: "100.10", currency: "EUR" },
            },
            {
              line: 2,
              account: "2440",
              dimensions: {},
              amount: { amount: "-100.10", currency: "EUR" },
            },
          ],
        },
        {
          entity: "gl_voucher" as const,
          ...scope,
          voucher: "7002",
          series: "A",
          accountingDate: "2026-11-12",
          lines: [
            {
              line: 1,
              account: "4010",
              dimensions: {},
              amount: { amount: "0.20", currency: "EUR" },
            },
          ],
        },
      ];
    },
    async openExceptions(key: string) {
      return key.startsWith("supplier_invoice:") && key.includes("INV-7")
        ? ["Line 10: received 25, invoiced 20 (5 to invoice)"]
        : [];
    },
    // Exceptions are kept per invoice: a PO reaches them through its invoices, never by its key.
    async poExceptions(po: { number: string }) {
      return po.number === "4500012345"
        ? ["Invoice INV-7 (Acme Tools GmbH): Line 10: received 25, invoiced 20 (5 to invoice)"]
        : [];
    },
  };
  return svc;
}
