import type { CanonicalRecord } from "../infor/records.ts";
import type { InforSource } from "../infor/source.ts";
import { type SupplierNames, withSupplierNames } from "../sync/supplier-names.ts";
import type { LookupService } from "./lookup-service.ts";

/**
 * `/infor` lookups on top of the Infor client's source facade. Extras the facade does not know
 * (open exceptions, approval state, record links) come from the caller.
 */
export function lookupsFromSource(
  source: InforSource,
  extras: Pick<LookupService, "openExceptions" | "poExceptions" | "approvalState" | "recordUrl"> & {
    clock?: () => number;
    /** Supplier names from the reference cache (the ERP's PO and invoice lists carry ids only). */
    supplierNames?: SupplierNames;
  } = {},
): LookupService {
  const clock = extras.clock ?? Date.now;
  const named = <T extends CanonicalRecord>(records: readonly T[]): Promise<T[]> =>
    extras.supplierNames
      ? withSupplierNames(records, extras.supplierNames)
      : Promise.resolve([...records]);
  const service: LookupService = {
    async getPurchaseOrder(number) {
      return (await named((await source.getPurchaseOrder(number)).records))[0];
    },
    async findInvoices({ number, supplier }) {
      return named((await source.findInvoice(supplier, number)).records);
    },
    async searchSuppliers({ text, byId }) {
      if (byId) {
        const exact = (await source.getSupplier(text)).records;
        if (exact.length > 0) return exact;
      }
      // One more than the pick list shows, so the view can say "more than".
      return (await source.searchSuppliers(text, 9)).records;
    },
    async supplierActivity(supplierId) {
      const payments = (await source.listPayments({ supplierId, limit: 5 })).records;
      return { invoices: [], payments };
    },
    async findPayments(reference) {
      // People type either the invoice the payment settled or the payment's own reference.
      const [byInvoice, byReference] = await Promise.all([
        source.listPayments({ invoiceNumber: reference, limit: 10 }),
        source.listPayments({ reference, limit: 10 }),
      ]);
      const seen = new Set<string>();
      const all = await named([...byInvoice.records, ...byReference.records]);
      return all.filter((p) => {
        const key = `${p.supplierId}/${p.reference}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    },
    async glPostings(account, period) {
      const p = period
        ? `${period.year}-${String(period.period).padStart(2, "0")}`
        : new Date(clock()).toISOString().slice(0, 7);
      return (await source.listGlLines(account, p)).records;
    },
  };
  if (extras.openExceptions) service.openExceptions = extras.openExceptions;
  if (extras.poExceptions) service.poExceptions = extras.poExceptions;
  if (extras.approvalState) service.approvalState = extras.approvalState;
  if (extras.recordUrl) service.recordUrl = extras.recordUrl;
  return service;
}
