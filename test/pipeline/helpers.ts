import { contentVersionOf } from "../../src/alerts/alert.ts";
import {
  type CanonicalRecord,
  type PurchaseOrder,
  purchaseOrderSchema,
  recordKey,
  type SupplierInvoice,
  supplierInvoiceSchema,
} from "../../src/infor/records.ts";
import type { InvoiceScope, LookupResult, MatchLookups } from "../../src/pipeline/types.ts";
import type { MatchPolicy } from "../../src/rules/match-policy.ts";
import type { RoutingPolicy } from "../../src/rules/routing.ts";
import type { ChangeEvent } from "../../src/sync/sink.ts";

// Redis per test file: the sync tests' helpers (one connection, unique prefixes, swept after).
export { cleanup, connect, fileRedis, REDIS_URL, uniquePrefix } from "../sync/helpers.ts";

const scope = {
  tenant: "T1",
  company: "100",
  division: "AAA",
  source: "m3",
  changedAt: "2026-11-30",
};

type Input = Record<string, unknown>;

/** PO 4500001 from S100: line 10, 10 PCE at 5.00 EUR for CC100, nothing received yet. */
export function po(overrides: Input = {}, lineOverrides: Input = {}): PurchaseOrder {
  return purchaseOrderSchema.parse({
    entity: "purchase_order",
    ...scope,
    number: "4500001",
    supplierId: "S100",
    supplierName: "Acme Tools",
    status: "released",
    orderDate: "2026-11-01",
    currency: "EUR",
    total: { amount: "50.00", currency: "EUR" },
    lines: [
      {
        line: 10,
        item: "NUT",
        orderedQty: "10",
        receivedQty: "0",
        unit: "PCE",
        unitPrice: { amount: "5.00", currency: "EUR" },
        costCenter: "CC100",
        receipts: [],
        ...lineOverrides,
      },
    ],
    ...overrides,
  });
}

/** Invoice INV-1 from S100 on PO 4500001 line 10: 10 PCE at 5.00 EUR. */
export function invoice(overrides: Input = {}, lineOverrides: Input = {}): SupplierInvoice {
  return supplierInvoiceSchema.parse({
    entity: "supplier_invoice",
    ...scope,
    supplierId: "S100",
    supplierName: "Acme Tools",
    invoiceNumber: "INV-1",
    invoiceDate: "2026-11-20",
    status: "entry",
    total: { amount: "50.00", currency: "EUR" },
    poNumber: "4500001",
    lines: [
      {
        line: 1,
        poLine: 10,
        quantity: "10",
        unit: "PCE",
        unitPrice: { amount: "5.00", currency: "EUR" },
        amount: { amount: "50.00", currency: "EUR" },
        ...lineOverrides,
      },
    ],
    ...overrides,
  });
}

const revs = new Map<string, number>();

/** A change event as the sync engine emits it (rev grows per call for the same record key). */
export function eventFor(record: CanonicalRecord): ChangeEvent {
  const key = recordKey(record);
  const rev = (revs.get(key) ?? 0) + 1;
  revs.set(key, rev);
  const contentVersion = `${rev}:${contentVersionOf(record)}`;
  return {
    alertId: `${key}@${contentVersion}`,
    kind: rev === 1 ? "new" : "updated",
    recordKey: key,
    rev,
    contentVersion,
    record,
    changes: [],
  };
}

export const routingPolicy: RoutingPolicy = {
  defaultChannel: "CDEFAULT",
  opsChannel: "COPS",
  costCenters: { CC100: "C100", CC200: "C200" },
};

export const matchPolicy: MatchPolicy = { defaults: { price: { percent: "2" } } };

/** In-memory ERP lookups; `calls` counts PO reads. */
export class FakeLookups implements MatchLookups {
  pos = new Map<string, PurchaseOrder>();
  invalidPos = new Set<string>();
  erpInvoices: SupplierInvoice[] = [];
  calls = 0;

  put(p: PurchaseOrder): void {
    this.pos.set(p.number, p);
  }

  async getPurchaseOrder(
    _scope: InvoiceScope,
    number: string,
  ): Promise<LookupResult<PurchaseOrder>> {
    this.calls++;
    if (this.invalidPos.has(number)) return { records: [], rejects: [{ reason: "bad" }] };
    const p = this.pos.get(number);
    return { records: p ? [p] : [], rejects: [] };
  }

  async findInvoices(
    _scope: InvoiceScope,
    supplierId: string,
    number: string,
  ): Promise<LookupResult<SupplierInvoice>> {
    return {
      records: this.erpInvoices.filter(
        (i) => i.supplierId === supplierId && i.invoiceNumber === number,
      ),
      rejects: [],
    };
  }
}

/** Fake approvals: ids derived from the alert id, like the real store. */
export class FakeApprovals {
  created: { alertId: string; costCenter: string; title: string; line?: number | null }[] = [];
  closed: { approvalId: string; reason: string }[] = [];

  createPending = async (subject: {
    alertId: string;
    costCenter: string;
    title: string;
    line?: number | null;
  }) => {
    this.created.push({
      alertId: subject.alertId,
      costCenter: subject.costCenter,
      title: subject.title,
      ...(subject.line !== undefined ? { line: subject.line } : {}),
    });
    return { id: `apv_${subject.alertId.slice(0, 12)}` };
  };

  closeApproval = async (approvalId: string, reason: string) => {
    this.closed.push({ approvalId, reason });
  };
}
