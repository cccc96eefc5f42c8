import { recordKey, type SupplierInvoice } from "../infor/records.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type { PipelineKeys } from "./keys.ts";

/**
 * The supplier invoices seen so far, per tenant / company / supplier, newest versions only: the
 * "other invoices" duplicate checks and quantities invoiced before need. Bounded per supplier
 * (oldest invoice dates dropped first) and expiring when a supplier is quiet for long.
 */
export interface InvoiceIndex {
  /** Stores the invoice; a `view` holding its supplier is kept equal to what was written. */
  remember(invoice: SupplierInvoice, view?: IndexView): Promise<void>;
  /**
   * `remember`'s write as another script does it (the tracker's trigger-reads.lua): the hash, the
   * field and value, the expiry; then `written` with the hash's length after it.
   */
  entry(invoice: SupplierInvoice): { key: string; field: string; value: string; ttlMs: number };
  /** What `remember` does after its write: trims the supplier, keeps the `view` equal. */
  written(invoice: SupplierInvoice, length: number, view?: IndexView): Promise<void>;
  /** The supplier's other invoices (this invoice's own key left out). */
  others(invoice: SupplierInvoice, view?: IndexView): Promise<SupplierInvoice[]>;
  /** Every indexed invoice of the invoice's supplier, in record key order. */
  all(invoice: SupplierInvoice, view?: IndexView): Promise<SupplierInvoice[]>;
  /**
   * The suppliers of these invoices, each read once (one pipelined round trip), for a page of
   * invoices handled one after the other: each `all` then costs no read and no JSON parsing of
   * the whole supplier (which grew with every invoice: quadratic over an import).
   */
  load(invoices: readonly SupplierInvoice[]): Promise<IndexView>;
}

/**
 * Suppliers' invoices as read by `load`, by supplier key, then record key. Kept up to date with
 * this process's writes; another writer (a poll of another division of the company) is noticed
 * when the hash's length after a write differs from the view's, and the supplier is read again.
 */
export type IndexView = Map<string, Map<string, SupplierInvoice>>;

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

  const parsed = (entries: Record<string, string>) =>
    new Map(Object.entries(entries).map(([k, v]) => [k, JSON.parse(v) as SupplierInvoice]));

  const entry = (invoice: SupplierInvoice) => ({
    key: keyOf(invoice),
    field: recordKey(invoice),
    value: JSON.stringify(invoice),
    ttlMs: o.ttlMs,
  });

  async function written(invoice: SupplierInvoice, len: number, view?: IndexView): Promise<void> {
    const key = keyOf(invoice);
    if (len > o.maxPerSupplier) await trim(key);
    const seen = view?.get(key);
    if (!seen || !view) return;
    seen.set(recordKey(invoice), invoice);
    if (len > o.maxPerSupplier || seen.size !== len)
      view.set(key, parsed(await redis.hgetall(key)));
  }

  return {
    entry,
    written,

    async remember(invoice, view) {
      const { key, field, value } = entry(invoice);
      const [, , lenResult] =
        (await redis.multi().hset(key, field, value).pexpire(key, o.ttlMs).hlen(key).exec()) ?? [];
      await written(invoice, Number(lenResult?.[1] ?? 0), view);
    },

    async others(invoice, view) {
      const own = recordKey(invoice);
      return (await this.all(invoice, view)).filter((i) => recordKey(i) !== own);
    },

    async all(invoice, view) {
      const seen = view?.get(keyOf(invoice)) ?? parsed(await redis.hgetall(keyOf(invoice)));
      return [...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    },

    async load(invoices) {
      const keys = [...new Set(invoices.map(keyOf))];
      const view: IndexView = new Map();
      if (keys.length === 0) return view;
      const pipe = redis.pipeline();
      for (const k of keys) pipe.hgetall(k);
      const replies = (await pipe.exec()) ?? [];
      keys.forEach((k, i) => {
        const [err, entries] = replies[i] ?? [];
        // A failed read leaves the supplier out: `all` reads it itself.
        if (!err && entries) view.set(k, parsed(entries as Record<string, string>));
      });
      return view;
    },
  };
}
