import type { InforSource } from "../infor/source.ts";
import type { InvoiceScope, MatchLookups } from "./types.ts";

/** The part of the Infor source facade the tracker reads. */
export type MatchSource = Pick<
  InforSource,
  "getPurchaseOrder" | "getPurchaseOrders" | "findInvoice"
>;

/** The source for an invoice's tenant / company / division (cached by the caller's factory). */
export type MatchSourceFor = (scope: InvoiceScope) => MatchSource | Promise<MatchSource>;

export interface MatchLookupOptions {
  /**
   * Also ask the ERP for invoices with the same supplier and number on every new or changed
   * invoice (duplicates of invoices entered before the bot watched). Off by default: it costs
   * a few requests of the tenant's per-minute budget per invoice. M3 invoices are keyed by
   * batch (INBN), so another batch with the same number is told apart (see the pipeline README).
   */
  readonly erpDuplicateLookup?: boolean;
}

/**
 * Tracker lookups on the Infor source facade (M3 or SyteLine). Each call spends the tenant's
 * requests-per-minute budget like any other read; the tracker caches POs within one evaluation.
 */
export function lookupsFromSources(
  sourceFor: MatchSourceFor,
  options: MatchLookupOptions = {},
): MatchLookups {
  const lookups: MatchLookups = {
    async getPurchaseOrder(scope, number) {
      return (await sourceFor(scope)).getPurchaseOrder(number);
    },
    async getPurchaseOrders(scope, numbers) {
      const source = await sourceFor(scope);
      if (source.getPurchaseOrders) return source.getPurchaseOrders(numbers);
      const out = new Map<string, Awaited<ReturnType<MatchSource["getPurchaseOrder"]>>>();
      for (const n of numbers) out.set(n, await source.getPurchaseOrder(n));
      return out;
    },
  };
  if (!options.erpDuplicateLookup) return lookups;
  return {
    ...lookups,
    async findInvoices(scope, supplierId, number) {
      return (await sourceFor(scope)).findInvoice(supplierId, number);
    },
  };
}
