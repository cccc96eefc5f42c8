import { recordKey, type SupplierInvoice } from "../infor/records.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type { PipelineKeys } from "./keys.ts";

/**
 * The supplier invoices seen so far, per tenant / company / supplier, newest versions only: the
 * "other invoices" duplicate checks and quantities invoiced before need. Bounded per supplier
 * (oldest invoice dates dropped first) and expiring when a supplier is quiet for long.
 */
export interface InvoiceIndex {
  remember(invoice: SupplierInvoice): Promise<void>;
  /** The supplier's other invoices (this invoice's own key left out). */
  others(invoice: SupplierInvoice): Promise<SupplierInvoice[]>;
  /** Every indexed invoice of the invoice's supplier, in record key order. */
  all(invoice: SupplierInvoice): Promise<SupplierInvoice[]>;
}

export interface InvoiceIndexOptions {
  readonly redis: RedisClient;
  readonly keys: PipelineKeys;
  readonly maxPerSupplier: number;
  readonly ttlMs: number;
}

export function createInvoiceIndex(o: InvoiceIndexOptions): InvoiceIndex {
  const { redis, keys } = o;
  const keyOf = (i: SupplierInvoice) => keys.supplierInvoices(i.tenant, i.company, i.supplierId);

  async function trim(key: string): Promise<void> {
    const all = await redis.hgetall(key);
    const byDate = Object.entries(all)
      .map(([k, v]) => ({ k, date: (JSON.parse(v) as SupplierInvoice).invoiceDate }))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.k < b.k ? -1 : 1));
    const drop = byDate.slice(0, byDate.length - o.maxPerSupplier).map((e) => e.k);
    if (drop.length > 0) await redis.hdel(key, ...drop);
  }

  return {
    async remember(invoice) {
      const key = keyOf(invoice);
      const [, , lenResult] =
        (await redis
          .multi()
          .hset(key, recordKey(invoice), JSON.stringify(invoice))
          .pexpire(key, o.ttlMs)
          .hlen(key)
          .exec()) ?? [];
      const len = Number(lenResult?.[1] ?? 0);
      if (len > o.maxPerSupplier) await trim(key);
    },

    async others(invoice) {
      const own = recordKey(invoice);
      return (await this.all(invoice)).filter((i) => recordKey(i) !== own);
    },

    async all(invoice) {
      const entries = await redis.hgetall(keyOf(invoice));
      return Object.entries(entries)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, v]) => JSON.parse(v) as SupplierInvoice);
    },
  };
}
