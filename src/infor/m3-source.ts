import type { Logger } from "pino";
import { pino } from "pino";
import {
  ColumnCatalog,
  exportMiProbe,
  type KeyValueStore,
  memoryStore,
  type SourceWarning,
} from "./m3/column-catalog.ts";
import type { Predicate } from "./m3/exportmi.ts";
import type { MiClient, MiRecord } from "./m3/mi-client.ts";
import type { FilterFallbackOptions } from "./m3/mi-list-fallback.ts";
import { TableReader } from "./m3/table-reader.ts";
import { M3Documents } from "./m3-documents.ts";
import type { MapContext } from "./mapping/fields.ts";
import { mapM3LedgerInvoice, mapM3Payment, mapM3Supplier } from "./mapping/m3-mappers.ts";
import type {
  Entity,
  GlVoucher,
  Payment,
  PurchaseOrder,
  Supplier,
  SupplierInvoice,
} from "./records.ts";
import {
  abortable,
  batchOf,
  type InforSource,
  type ListOptions,
  type Lookup,
  lookupOf,
  type MappedBatch,
  type PaymentQuery,
  periodRange,
  type RecordTarget,
  ymdNumber,
} from "./source.ts";

/**
 * POs per set-based read when PO numbers are not plain numbers. A chunk is read as the key range
 * [first, last], so rows of POs between them come along too: small enough that a sparse chunk
 * costs little, large enough that a page of invoices needs a few reads.
 */
const PO_CHUNK = 100;

/**
 * Numeric PO numbers (M3 number series) further apart than this start a new key range. Reading
 * through a gap costs at most its PO numbers' rows (a few per PO: head, lines, receipts), a few
 * hundred rows, well under one 1,000-row page; a new range costs one request per table. Within a
 * range the reads page by key continuation, so a dense range of any length costs its rows ÷ page.
 */
const PO_GAP = 100;

/** Sorted PO numbers cut into key ranges to read (see PO_GAP and PO_CHUNK). */
export function poRanges(sorted: readonly string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  const numeric = (n: string) => /^\d{1,15}$/.test(n);
  for (const n of sorted) {
    const prev = current[current.length - 1];
    const close =
      prev !== undefined &&
      (numeric(prev) && numeric(n)
        ? prev.length !== n.length || Number(n) - Number(prev) > PO_GAP
        : current.length >= PO_CHUNK);
    if (close) {
      out.push(current);
      current = [];
    }
    current.push(n);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * M3 implementation of `InforSource` (interface and contract in source.ts). Bulk reads go
 * through EXPORTMI/Select with key continuation (m3/table-reader.ts); whole documents are
 * assembled in m3-documents.ts. Lookups use the same reads with an equality filter.
 */

export interface M3SourceOptions {
  tenant: string;
  company: string;
  division: string;
  localCurrency?: string;
  /** Accounting dimension (AIT1-AIT7) that is the cost center here (routing.yml); default 2. */
  costCenterDimension?: number;
  logger?: Logger;
  /** Most supplier rows a name search scans (default 5,000). */
  searchScanLimit?: number;
  /**
   * Detect which columns each table offers before selecting them (default true): optional
   * columns a tenant lacks are left out with one warning, refused child tables are read
   * through MI list transactions (docs/m3-access.md).
   */
  detectColumns?: boolean;
  /** Where detections are cached: Redis shares them between replicas. Default in-process. */
  columnStore?: KeyValueStore;
  /** Key prefix in `columnStore` (default `cs:`). */
  keyPrefix?: string;
  /** Detection cache lifetime in seconds (default 12 h); a failed read re-detects sooner. */
  columnTtlSeconds?: number;
  /** Dropped columns and refused tables, once per change (e.g. to the ops channel). */
  onWarning?: (warning: SourceWarning) => void;
  /** Windows of the GL fallback through GLS200MI/LstVouchersByDt (mi-list-fallback.ts). */
  fallback?: FilterFallbackOptions;
  /** Division context of EXPORTMI calls: "blank" (default, as Infor requires for DIVI filters). */
  exportDivision?: "blank" | "default";
  /** The clock that dates reads against M3's change dates (default: the system clock). */
  now?: () => number;
}

export function createM3Source(mi: MiClient, o: M3SourceOptions): InforSource {
  return new M3Source(mi, o);
}

class M3Source implements InforSource {
  readonly kind = "m3" as const;
  readonly tenant: string;
  readonly company: string;
  readonly division: string;
  private readonly reader: TableReader;
  private readonly docs: M3Documents;
  private readonly ctx: MapContext;
  private readonly log: Logger;
  private readonly scanLimit: number;

  constructor(mi: MiClient, o: M3SourceOptions) {
    this.tenant = o.tenant;
    this.company = o.company;
    this.division = o.division;
    this.ctx = {
      tenant: o.tenant,
      company: o.company,
      division: o.division,
      ...(o.localCurrency ? { localCurrency: o.localCurrency } : {}),
      ...(o.costCenterDimension ? { costCenterDimension: o.costCenterDimension } : {}),
    };
    this.log = o.logger ?? pino({ level: "silent" });
    const catalog =
      o.detectColumns === false
        ? undefined
        : new ColumnCatalog({
            probe: exportMiProbe(mi, o.company),
            tenant: o.tenant,
            company: o.company,
            store: o.columnStore ?? memoryStore(),
            ...(o.keyPrefix ? { keyPrefix: o.keyPrefix } : {}),
            ...(o.columnTtlSeconds ? { ttlSeconds: o.columnTtlSeconds } : {}),
            logger: this.log,
            ...(o.onWarning ? { onWarning: o.onWarning } : {}),
          });
    this.reader = new TableReader(mi, o.company, {
      catalog,
      division: o.division,
      fallback: o.fallback,
      exportDivision: o.exportDivision,
    });
    this.docs = new M3Documents(this.reader, this.ctx, o.now);
    this.scanLimit = o.searchScanLimit ?? 5000;
  }

  supports(_entity: Entity): boolean {
    return true;
  }

  listChanged(
    entity: Entity,
    since: string,
    options: ListOptions = {},
  ): AsyncIterable<MappedBatch> {
    const pageSize = options.pageSize ?? 500;
    return abortable(this.changed(entity, since, pageSize), options.signal);
  }

  private changed(entity: Entity, since: string, pageSize: number): AsyncIterable<MappedBatch> {
    const changed: Predicate = { col: "LMDT", op: ">=", value: ymdNumber(since) };
    switch (entity) {
      case "supplier":
        return this.docs.suppliers([changed], pageSize);
      case "purchase_order":
        return this.docs.purchaseOrders(changed, pageSize);
      case "supplier_invoice":
        return this.docs.invoices([changed, ...this.docs.divi()], pageSize, changed);
      case "payment":
        return this.docs.payments(
          [{ col: "TRCD", op: "=", value: 50 }, changed, ...this.docs.divi()],
          pageSize,
        );
      case "gl_voucher":
        return this.docs.vouchers([changed, ...this.docs.divi()], pageSize);
      case "account":
        return this.docs.accounts([changed, ...this.docs.divi()], pageSize);
    }
  }

  // ---- lookups ----

  async getSupplier(id: string): Promise<Lookup<Supplier>> {
    const out: MappedBatch = { entity: "supplier", records: [], rejects: [] };
    for await (const b of this.docs.suppliers([{ col: "SUNO", op: "=", value: id.trim() }], 10)) {
      out.records.push(...b.records);
      out.rejects.push(...b.rejects);
    }
    return lookupOf(out);
  }

  /**
   * By exact id first; otherwise a case-insensitive name match over CIDMAS (EXPORTMI has no
   * LIKE in the subset we rely on), scanning at most `searchScanLimit` rows.
   */
  async searchSuppliers(text: string, limit = 10): Promise<Lookup<Supplier>> {
    const exact = await this.getSupplier(text);
    if (exact.records.length > 0) return exact;
    const needle = text.trim().toLowerCase();
    const hits: MiRecord[] = [];
    let scanned = 0;
    for await (const page of this.reader.select("CIDMAS", [], 1000)) {
      for (const r of page) {
        if ((r.SUNM ?? "").toLowerCase().includes(needle)) hits.push(r);
      }
      scanned += page.length;
      if (hits.length >= limit || scanned >= this.scanLimit) break;
    }
    if (scanned >= this.scanLimit) this.log.info({ scanned }, "supplier search scan limit reached");
    return lookupOf(
      batchOf(
        "supplier",
        hits.slice(0, limit).map((r) => mapM3Supplier(this.ctx, r)),
      ),
    );
  }

  async getPurchaseOrder(number: string): Promise<Lookup<PurchaseOrder>> {
    return lookupOf(await this.docs.loadPurchaseOrders([number.trim()]));
  }

  /**
   * Many POs in set-based reads: sorted numbers cut into key ranges (`poRanges`), each range
   * three paged range reads (heads, lines, receipts) instead of three reads per PO. Answers per
   * PO number, as `getPurchaseOrder` would for that number alone.
   */
  async getPurchaseOrders(numbers: readonly string[]): Promise<Map<string, Lookup<PurchaseOrder>>> {
    const sorted = [...new Set(numbers.map((n) => n.trim()))].sort();
    const out = new Map<string, Lookup<PurchaseOrder>>();
    for (const chunk of poRanges(sorted)) {
      const outcomes = await this.docs.purchaseOrderOutcomes(chunk);
      for (const number of chunk) {
        const o = outcomes.get(number);
        out.set(
          number,
          o ? lookupOf(batchOf("purchase_order", [o])) : { records: [], rejects: [] },
        );
      }
    }
    return out;
  }

  async findInvoice(
    supplierId: string | undefined,
    number: string,
  ): Promise<Lookup<SupplierInvoice>> {
    const where: Predicate[] = [
      { col: "SINO", op: "=", value: number.trim() },
      ...this.docs.divi(),
    ];
    if (supplierId) where.push({ col: "SUNO", op: "=", value: supplierId.trim() });
    const heads = await this.reader.all("FAPIBH", where, 100);
    if (heads.length === 0) return this.ledgerInvoices(supplierId, number);
    const batch: MappedBatch = { entity: "supplier_invoice", records: [], rejects: [] };
    for (const h of heads) {
      const b = await this.docs.invoiceBatch([h]);
      batch.records.push(...b.records);
      batch.rejects.push(...b.rejects);
    }
    return lookupOf(batch);
  }

  /**
   * An invoice no longer in the batch tables (M3 reorganises updated batches away) is still in
   * the AP ledger: its TRCD 40 row, paid once its TRCD 50 rows cover it.
   */
  private async ledgerInvoices(
    supplierId: string | undefined,
    number: string,
  ): Promise<Lookup<SupplierInvoice>> {
    const where: Predicate[] = [
      { col: "SINO", op: "=", value: number.trim() },
      ...this.docs.divi(),
      ...(supplierId ? [{ col: "SUNO", op: "=" as const, value: supplierId.trim() }] : []),
    ];
    const rows = await this.reader.all("FPLEDG", where, 100);
    const invoices = rows.filter((r) => Number(r.TRCD) === 40);
    return lookupOf(
      batchOf(
        "supplier_invoice",
        invoices.map((inv) =>
          mapM3LedgerInvoice(
            this.ctx,
            inv,
            rows.filter((r) => Number(r.TRCD) === 50 && r.SUNO === inv.SUNO),
          ),
        ),
      ),
    );
  }

  async getInvoiceBatch(batchNumber: string): Promise<Lookup<SupplierInvoice>> {
    const inbn = Number(batchNumber.trim());
    if (!Number.isSafeInteger(inbn) || inbn <= 0) return { records: [], rejects: [] };
    const heads = await this.reader.all(
      "FAPIBH",
      [{ col: "INBN", op: "=", value: inbn }, ...this.docs.divi()],
      10,
    );
    return lookupOf(await this.docs.invoiceBatch(heads));
  }

  /**
   * One record through the same document reads the poll uses (invoiceBatch, loadPurchaseOrders,
   * suppliers, payments, glVouchers), limited to this source's division: a few requests instead
   * of a poll window, and the same mapped content, so change detection sees no difference.
   */
  async readTarget(t: RecordTarget): Promise<MappedBatch> {
    const collect = async (entity: Entity, it: AsyncIterable<MappedBatch>) => {
      const out: MappedBatch = { entity, records: [], rejects: [] };
      for await (const b of it) {
        out.records.push(...b.records);
        out.rejects.push(...b.rejects);
      }
      return out;
    };
    switch (t.entity) {
      case "supplier_invoice": {
        if ("batchNumber" in t) {
          const inbn = Number(t.batchNumber.trim());
          if (!Number.isSafeInteger(inbn) || inbn <= 0) return batchOf(t.entity, []);
          const heads = await this.reader.all(
            "FAPIBH",
            [{ col: "INBN", op: "=", value: inbn }, ...this.docs.divi()],
            10,
          );
          return this.docs.invoiceBatch(heads);
        }
        // An AP ledger row names the invoice by supplier and number: its batch, if still there
        // (the poll reads batches only, so a ledger-only invoice is not a poll record either).
        const heads = await this.reader.all(
          "FAPIBH",
          [
            { col: "SUNO", op: "=", value: t.supplierId.trim() },
            { col: "SINO", op: "=", value: t.invoiceNumber.trim() },
            ...this.docs.divi(),
          ],
          100,
        );
        return this.docs.invoiceBatch(heads);
      }
      case "purchase_order":
        return this.docs.loadPurchaseOrders([t.number.trim()]);
      case "supplier":
        return collect(
          "supplier",
          this.docs.suppliers([{ col: "SUNO", op: "=", value: t.id.trim() }], 10),
        );
      case "payment": {
        const parts = paymentReferencePredicates(t.reference);
        if (!parts) return batchOf("payment", []);
        return collect(
          "payment",
          this.docs.payments(
            [{ col: "TRCD", op: "=", value: 50 }, ...parts, ...this.docs.divi()],
            10,
          ),
        );
      }
      case "gl_voucher": {
        const rows = await this.reader.all("FGLEDG", [
          { col: "YEA4", op: "=", value: t.year },
          ...(t.series ? [{ col: "VSER", op: "=" as const, value: t.series }] : []),
          { col: "VONO", op: "=", value: Number(t.voucher) },
          ...this.docs.divi(),
        ]);
        return this.docs.glVouchers(rows);
      }
    }
  }

  async listPayments(q: PaymentQuery): Promise<Lookup<Payment>> {
    const where: Predicate[] = [{ col: "TRCD", op: "=", value: 50 }, ...this.docs.divi()];
    if (q.supplierId) where.push({ col: "SUNO", op: "=", value: q.supplierId.trim() });
    if (q.invoiceNumber) where.push({ col: "SINO", op: "=", value: q.invoiceNumber.trim() });
    if (q.reference) {
      const parts = paymentReferencePredicates(q.reference);
      if (!parts) return { records: [], rejects: [] };
      where.push(...parts);
    }
    if (q.from) where.push({ col: "ACDT", op: ">=", value: ymdNumber(q.from) });
    if (q.to) where.push({ col: "ACDT", op: "<=", value: ymdNumber(q.to) });
    const limit = q.limit ?? 50;
    const rows: MiRecord[] = [];
    for await (const page of this.reader.select(
      "FPLEDG",
      where,
      Math.min(1000, Math.max(limit, 2)),
    )) {
      rows.push(...page);
      if (rows.length >= limit) break;
    }
    return lookupOf(
      batchOf(
        "payment",
        rows.slice(0, limit).map((r) => mapM3Payment(this.ctx, r)),
      ),
    );
  }

  async listGlLines(account: string, period: string): Promise<Lookup<GlVoucher>> {
    const [lo, hi] = periodRange(period);
    const rows = await this.reader.all("FGLEDG", [
      { col: "AIT1", op: "=", value: account.trim() },
      { col: "ACDT", op: ">=", value: lo },
      { col: "ACDT", op: "<=", value: hi },
      ...this.docs.divi(),
    ]);
    return lookupOf(this.docs.glVouchers(rows));
  }
}

/**
 * A payment reference as `mapM3Payment` builds it: ledger key `2026-123-1` (YEA4-JRNO-JSNO) or
 * voucher `AP-12345` / `12345`. Anything else cannot be a payment reference (no query at all,
 * which also keeps free text out of QERY).
 */
export function paymentReferencePredicates(reference: string): Predicate[] | undefined {
  const text = reference.trim();
  const ledger = /^(\d{4})-(\d{1,7})-(\d{1,7})$/.exec(text);
  if (ledger) {
    return [
      { col: "YEA4", op: "=", value: Number(ledger[1]) },
      { col: "JRNO", op: "=", value: Number(ledger[2]) },
      { col: "JSNO", op: "=", value: Number(ledger[3]) },
    ];
  }
  const voucher = /^(?:([A-Z0-9]{1,3})-)?(\d{1,8})$/.exec(text);
  if (voucher) {
    return [
      ...(voucher[1] ? [{ col: "VSER", op: "=" as const, value: voucher[1] }] : []),
      { col: "VONO", op: "=", value: Number(voucher[2]) },
    ];
  }
  return undefined;
}
