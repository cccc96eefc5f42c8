import type { InforSource } from "../infor/source.ts";
import type { InvoiceScope, MatchLookups } from "./types.ts";

/** The part of the Infor source facade the tracker reads. */
export type MatchSource = Pick<InforSource, "getPurchaseOrder" | "findInvoice">;

/** The source for an invoice's tenant / company / division (cached by the caller's factory). */
export type MatchSourceFor = (scope: InvoiceScope) => MatchSource | Promise<MatchSource>;

/**
 * Tracker lookups on the Infor source facade (M3 or SyteLine). Each call spends the tenant's
 * requests-per-minute budget like any other read; the tracker caches POs within one evaluation.
 */
export function lookupsFromSources(sourceFor: MatchSourceFor): MatchLookups {
  return {
    async getPurchaseOrder(scope, number) {
      return (await sourceFor(scope)).getPurchaseOrder(number);
    },
    async findInvoices(scope, supplierId, number) {
      return (await sourceFor(scope)).findInvoice(supplierId, number);
    },
  };
}
