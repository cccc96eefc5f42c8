import type { Logger } from "pino";
import { pino } from "pino";
import { exportSelect, type Predicate } from "./m3/exportmi.ts";
import type { MiClient, MiRecord } from "./m3/mi-client.ts";
import { query, type TableName } from "./m3/tables.ts";
import type { MapContext, Row } from "./mapping/fields.ts";
import {
  mapM3Account,
  mapM3GlVoucher,
  mapM3InvoiceBatch,
  mapM3Payment,
  mapM3PurchaseOrder,
  mapM3Supplier,
} from "./mapping/m3-mappers.ts";
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
  ymdNumber,
} from "./source.ts";

/**
 * M3 implementation of `InforSource` (interface and contract in source.ts). Bulk reads go
 * through EXPORTMI/Select with key continuation; documents that span tables (PO head + lines +
 * receipts, invoice head + lines, supplier CIDMAS + CIDVEN) are joined per page by reading the
 * child table over the page's key range, so a page of N documents costs a few requests, not N.
 */

export interface M3SourceOptions {
  tenant: string;
  company: string;
  division: string;
  localCurrency?: string;
  logger?: Logger;
  /** Most supplier rows a name search scans (default 5,000). */
  searchScanLimit?: number;
}

export function createM3Source(mi: MiClient, o: M3SourceOptions): InforSource {
  return new M3Source(mi, o);
}

class M3Source implements InforSource {
  readonly kind = "m3" as const;
  readonly tenant: string;
  readonly company: string;
  readonly division: string;
  private readonly mi: MiClient;
  private readonly ctx: MapContext;
  private readonly log: Logger;
  private readonly scanLimit: number;

  constructor(mi: MiClient, o: M3SourceOptions) {
    this.mi = mi;
    this.tenant = o.tenant;
    this.company = o.company;
    this.division = o.division;
    this.ctx = {
      tenant: o.tenant,
      company: o.company,
      division: o.division,
      ...(o.localCurrency ? { localCurrency: o.localCurrency } : {}),
    };
    this.log = o.logger ?? pino({ level: "silent" });
    this.scanLimit = o.searchScanLimit ?? 5000;
  }

  supports(_entity: Entity): boolean {
    return true;
  }

  private divi(prefixless = "DIVI"): Predicate[] {
    return this.division ? [{ col: prefixless, op: "=", value: this.division }] : [];
  }

  private select(name: TableName, where: Predicate[], pageSize: number, columns?: string[]) {
    // EXPORTMI reads the session company (cono), so every call names this source's company.
    return exportSelect(this.mi, query(name, where, columns), { pageSize, company: this.company });
  }

  private async all(name: TableName, where: Predicate[], pageSize = 1000): Promise<MiRecord[]> {
    const out: MiRecord[] = [];
    for await (const page of this.select(name, where, pageSize)) out.push(...page);
    return out;
  }

  /** Child rows for keys in [from, to] of `keyCol`, grouped by that key. */
  private async range(
    name: TableName,
    keyCol: string,
    from: string,
    to: string,
    numeric: boolean,
    extra: Predicate[] = [],
  ): Promise<Map<string, MiRecord[]>> {
    const lo = numeric ? Number(from) : from;
    const hi = numeric ? Number(to) : to;
    const rows = await this.all(name, [
      ...extra,
      ...(from === to
        ? [{ col: keyCol, op: "=" as const, value: lo }]
        : [
            { col: keyCol, op: ">=" as const, value: lo },
            { col: keyCol, op: "<=" as const, value: hi },
          ]),
    ]);
    const byKey = new Map<string, MiRecord[]>();
    for (const r of rows) {
      const k = r[keyCol] ?? "";
      const list = byKey.get(k) ?? [];
      list.push(r);
      byKey.set(k, list);
    }
    return byKey;
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
        return this.suppliers([changed], pageSize);
      case "purchase_order":
        return this.purchaseOrders(changed, pageSize);
      case "supplier_invoice":
        return this.invoices([changed, ...this.divi()], pageSize);
      case "payment":
        return this.payments(
          [{ col: "TRCD", op: "=", value: 50 }, changed, ...this.divi()],
          pageSize,
        );
      case "gl_voucher":
        return this.vouchers([changed, ...this.divi()], pageSize);
      case "account":
        return this.accounts([changed, ...this.divi()], pageSize);
    }
  }

  private async *suppliers(where: Predicate[], pageSize: number): AsyncGenerator<MappedBatch> {
    for await (const page of this.select("CIDMAS", where, pageSize)) {
      const firstId = page[0]?.SUNO ?? "";
      const lastId = page[page.length - 1]?.SUNO ?? "";
      const ven = await this.range("CIDVEN", "SUNO", firstId, lastId, false);
      yield batchOf(
        "supplier",
        page.map((r) => {
          const v = ven.get(r.SUNO ?? "")?.[0] ?? {};
          const { LMDT: venLmdt, ...venFields } = v;
          const lmdt = [r.LMDT, venLmdt].filter(Boolean).sort().pop();
          return mapM3Supplier(this.ctx, { ...venFields, ...r, ...(lmdt ? { LMDT: lmdt } : {}) });
        }),
      );
    }
  }

  /** POs whose head, a line or a receipt changed; each yielded complete. */
  private async *purchaseOrders(changed: Predicate, pageSize: number): AsyncGenerator<MappedBatch> {
    const numbers = new Set<string>();
    for (const [t, where] of [
      ["MPHEAD", [changed, ...this.divi()]],
      ["MPLINE", [changed]],
      ["MPLIND", [changed]],
    ] as [TableName, Predicate[]][]) {
      for await (const page of this.select(t, where, Math.max(pageSize, 1000), ["PUNO"])) {
        for (const r of page) if (r.PUNO) numbers.add(r.PUNO);
      }
    }
    const sorted = [...numbers].sort();
    for (let i = 0; i < sorted.length; i += pageSize) {
      const chunk = sorted.slice(i, i + pageSize);
      yield await this.loadPurchaseOrders(chunk);
    }
  }

  private async loadPurchaseOrders(chunk: string[]): Promise<MappedBatch> {
    const from = chunk[0] ?? "";
    const to = chunk[chunk.length - 1] ?? "";
    const want = new Set(chunk);
    const heads = await this.range("MPHEAD", "PUNO", from, to, false, this.divi());
    const lines = await this.range("MPLINE", "PUNO", from, to, false);
    const receipts = await this.range("MPLIND", "PUNO", from, to, false);
    const outcomes = [];
    for (const puno of want) {
      const head = heads.get(puno)?.[0];
      if (!head) continue; // another division's PO, or deleted since
      outcomes.push(
        mapM3PurchaseOrder(this.ctx, head, lines.get(puno) ?? [], receipts.get(puno) ?? []),
      );
    }
    return batchOf("purchase_order", outcomes);
  }

  private async *invoices(where: Predicate[], pageSize: number): AsyncGenerator<MappedBatch> {
    for await (const page of this.select("FAPIBH", where, pageSize)) {
      yield await this.invoiceBatch(page);
    }
  }

  private async invoiceBatch(heads: MiRecord[]): Promise<MappedBatch> {
    if (heads.length === 0) return batchOf("supplier_invoice", []);
    const inbns = heads.map((h) => Number(h.INBN)).filter(Number.isFinite);
    const lo = String(Math.min(...inbns));
    const hi = String(Math.max(...inbns));
    const lines = await this.range("FAPIBL", "INBN", lo, hi, true, this.divi());
    return batchOf(
      "supplier_invoice",
      heads.map((h) => mapM3InvoiceBatch(this.ctx, h, lines.get(h.INBN ?? "") ?? [])),
    );
  }

  private async *payments(where: Predicate[], pageSize: number): AsyncGenerator<MappedBatch> {
    for await (const page of this.select("FPLEDG", where, pageSize)) {
      yield batchOf(
        "payment",
        page.map((r) => mapM3Payment(this.ctx, r)),
      );
    }
  }

  /** GL lines grouped into vouchers (YEA4 + VSER + VONO); a voucher split by a page waits. */
  private async *vouchers(where: Predicate[], pageSize: number): AsyncGenerator<MappedBatch> {
    let pending: Row[] = [];
    const keyOf = (r: Row) => `${r.YEA4}|${r.VSER}|${r.VONO}`;
    for await (const page of this.select("FGLEDG", where, pageSize)) {
      const groups = new Map<string, Row[]>();
      for (const r of [...pending, ...page]) {
        const k = keyOf(r);
        const g = groups.get(k) ?? [];
        g.push(r);
        groups.set(k, g);
      }
      const last = page[page.length - 1];
      const openKey = last ? keyOf(last) : undefined;
      pending = openKey ? (groups.get(openKey) ?? []) : [];
      if (openKey) groups.delete(openKey);
      if (groups.size > 0) {
        yield batchOf(
          "gl_voucher",
          [...groups.values()].map((g) => mapM3GlVoucher(this.ctx, g)),
        );
      }
    }
    if (pending.length > 0) yield batchOf("gl_voucher", [mapM3GlVoucher(this.ctx, pending)]);
  }

  private async *accounts(where: Predicate[], pageSize: number): AsyncGenerator<MappedBatch> {
    for await (const page of this.select("FCHACC", where, pageSize)) {
      yield batchOf(
        "account",
        page.map((r) => mapM3Account(this.ctx, r)),
      );
    }
  }

  // ---- lookups ----

  async getSupplier(id: string): Promise<Lookup<Supplier>> {
    const out: MappedBatch = { entity: "supplier", records: [], rejects: [] };
    for await (const b of this.suppliers([{ col: "SUNO", op: "=", value: id.trim() }], 10)) {
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
    for await (const page of this.select("CIDMAS", [], 1000)) {
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
    return lookupOf(await this.loadPurchaseOrders([number.trim()]));
  }

  async findInvoice(
    supplierId: string | undefined,
    number: string,
  ): Promise<Lookup<SupplierInvoice>> {
    const where: Predicate[] = [{ col: "SINO", op: "=", value: number.trim() }, ...this.divi()];
    if (supplierId) where.push({ col: "SUNO", op: "=", value: supplierId.trim() });
    const heads = await this.all("FAPIBH", where, 100);
    const batch: MappedBatch = { entity: "supplier_invoice", records: [], rejects: [] };
    for (const h of heads) {
      const b = await this.invoiceBatch([h]);
      batch.records.push(...b.records);
      batch.rejects.push(...b.rejects);
    }
    return lookupOf(batch);
  }

  async listPayments(q: PaymentQuery): Promise<Lookup<Payment>> {
    const where: Predicate[] = [{ col: "TRCD", op: "=", value: 50 }, ...this.divi()];
    if (q.supplierId) where.push({ col: "SUNO", op: "=", value: q.supplierId.trim() });
    if (q.invoiceNumber) where.push({ col: "SINO", op: "=", value: q.invoiceNumber.trim() });
    if (q.from) where.push({ col: "ACDT", op: ">=", value: ymdNumber(q.from) });
    if (q.to) where.push({ col: "ACDT", op: "<=", value: ymdNumber(q.to) });
    const limit = q.limit ?? 50;
    const rows: MiRecord[] = [];
    for await (const page of this.select("FPLEDG", where, Math.min(1000, Math.max(limit, 2)))) {
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
    const rows = await this.all("FGLEDG", [
      { col: "AIT1", op: "=", value: account.trim() },
      { col: "ACDT", op: ">=", value: lo },
      { col: "ACDT", op: "<=", value: hi },
      ...this.divi(),
    ]);
    const groups = new Map<string, Row[]>();
    for (const r of rows) {
      const k = `${r.YEA4}|${r.VSER}|${r.VONO}`;
      const g = groups.get(k) ?? [];
      g.push(r);
      groups.set(k, g);
    }
    return lookupOf(
      batchOf(
        "gl_voucher",
        [...groups.values()].map((g) => mapM3GlVoucher(this.ctx, g)),
      ),
    );
  }
}
