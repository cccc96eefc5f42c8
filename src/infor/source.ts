import type { MapFailure } from "./mapping/fields.ts";
import type {
  CanonicalRecord,
  Entity,
  GlVoucher,
  Payment,
  PurchaseOrder,
  Supplier,
  SupplierInvoice,
} from "./records.ts";

/**
 * The interface the sync engine and the Slack lookups code against, implemented for M3
 * (`createM3Source`, m3-source.ts) and SyteLine (`createSyteLineSource`, ido-source.ts).
 *
 * - `listChanged(entity, since, { pageSize })` yields batches of records changed on or after
 *   `since` (ISO date YYYY-MM-DD; ERP change dates are date-only, so callers re-read the last day and drop
 *   what they saw by content hash). Each batch holds valid records and mapping failures; a
 *   failure never stops the iteration: quarantine it and go on. Transport, auth and malformed
 *   response errors are thrown (typed, with `code`), after the client's own retries.
 * - Lookups return `Lookup<T>`: records found (possibly none) plus any that failed validation.
 *   "Not found" is an empty `records`, never an exception.
 * - Every call goes through the tenant's shared requests-per-minute budget; a listChanged of
 *   N changed documents costs roughly N / pageSize requests per table it reads.
 * - `supports(entity)` says whether listChanged can serve that entity for this ERP.
 */

/**
 * One page of mapped records. `rejects` are rows that failed validation ({ id, reason, issues,
 * raw }): the shape src/sync's `SourcePage` reads, so a batch can be handed over as it is.
 */
export interface MappedBatch {
  entity: Entity;
  records: CanonicalRecord[];
  rejects: MapFailure[];
}

export interface Lookup<T> {
  records: T[];
  rejects: MapFailure[];
}

export interface ListOptions {
  /** Rows per request (default 500). */
  pageSize?: number;
  /** Stops the iteration between pages (e.g. on shutdown). */
  signal?: AbortSignal;
}

export interface PaymentQuery {
  supplierId?: string;
  invoiceNumber?: string;
  /** The payment's own reference as shown to people: `YEA4-JRNO-JSNO`, or a voucher `VSER-VONO`. */
  reference?: string;
  /** ISO dates, inclusive. */
  from?: string;
  to?: string;
  limit?: number;
}

/**
 * One record named by the keys an ERP event carries (M3 Event Subscriber web service, an ION
 * document): what a push reads instead of a whole poll window. Each variant is the record's own
 * identity in the ERP, so the read returns exactly what a poll would map for it.
 */
export type RecordTarget =
  | { entity: "supplier_invoice"; batchNumber: string }
  | { entity: "supplier_invoice"; supplierId: string; invoiceNumber: string }
  | { entity: "purchase_order"; number: string }
  | { entity: "supplier"; id: string }
  | { entity: "payment"; reference: string }
  | { entity: "gl_voucher"; year: number; series: string; voucher: string };

export interface InforSource {
  readonly kind: "m3" | "syteline";
  readonly tenant: string;
  readonly company: string;
  readonly division: string;
  supports(entity: Entity): boolean;
  listChanged(entity: Entity, since: string, options?: ListOptions): AsyncIterable<MappedBatch>;
  getSupplier(id: string): Promise<Lookup<Supplier>>;
  searchSuppliers(text: string, limit?: number): Promise<Lookup<Supplier>>;
  getPurchaseOrder(number: string): Promise<Lookup<PurchaseOrder>>;
  /**
   * Many POs at once, answered per number as `getPurchaseOrder` answers one (optional: a
   * source without set-based reads is asked per PO).
   */
  getPurchaseOrders?(numbers: readonly string[]): Promise<Map<string, Lookup<PurchaseOrder>>>;
  /** All invoices with that number (several when it is a duplicate), optionally one supplier. */
  findInvoice(supplierId: string | undefined, number: string): Promise<Lookup<SupplierInvoice>>;
  /** The invoice entered in one M3 invoice batch (INBN): M3's own identity of an invoice. */
  getInvoiceBatch?(batchNumber: string): Promise<Lookup<SupplierInvoice>>;
  listPayments(query: PaymentQuery): Promise<Lookup<Payment>>;
  /** Vouchers with lines on `account` in `period` (YYYY-MM); only that account's lines. */
  listGlLines(account: string, period: string): Promise<Lookup<GlVoucher>>;
  /**
   * The one record a target names, read and mapped exactly as `listChanged` maps it (same
   * documents, same joins), so its content hash matches the poll's. Empty when it is gone or
   * belongs to another division.
   */
  readTarget?(target: RecordTarget): Promise<MappedBatch>;
}

/** Split mapper outcomes into records and failures. */
export function batchOf(
  entity: Entity,
  outcomes: Iterable<{ ok: true; record: CanonicalRecord } | { ok: false; failure: MapFailure }>,
): MappedBatch {
  const batch: MappedBatch = { entity, records: [], rejects: [] };
  for (const o of outcomes) {
    if (o.ok) batch.records.push(o.record);
    else batch.rejects.push(o.failure);
  }
  return batch;
}

export function lookupOf<T>(batch: MappedBatch): Lookup<T> {
  return { records: batch.records as T[], rejects: batch.rejects };
}

/** "2026-11-05" → 20261105 (M3 date-only columns compare numerically in EXPORTMI). */
export function ymdNumber(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso.trim());
  if (!m) throw new RangeError(`expected an ISO date YYYY-MM-DD, got ${JSON.stringify(iso)}`);
  return Number(`${m[1]}${m[2]}${m[3]}`);
}

/** "2026-11" or "202611" → [first day, last day] as YYYYMMDD numbers. */
export function periodRange(period: string): [number, number] {
  const m = /^(\d{4})-?(\d{2})$/.exec(period.trim());
  if (!m) throw new RangeError(`expected a period YYYY-MM, got ${JSON.stringify(period)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return [y * 10000 + mo * 100 + 1, y * 10000 + mo * 100 + last];
}

/** Wrap a batch generator so it stops between pages once `signal` aborts. */
export async function* abortable<T>(
  source: AsyncIterable<T>,
  signal: AbortSignal | undefined,
): AsyncGenerator<T> {
  if (!signal) {
    yield* source;
    return;
  }
  for await (const item of source) {
    signal.throwIfAborted();
    yield item;
  }
  signal.throwIfAborted();
}
