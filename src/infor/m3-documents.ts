import { CarriedRanges } from "./m3/carried-ranges.ts";
import type { Predicate } from "./m3/exportmi.ts";
import type { MiRecord } from "./m3/mi-client.ts";
import type { TableReader } from "./m3/table-reader.ts";
import type { TableName } from "./m3/tables.ts";
import { headsWithLines } from "./m3-invoice-heads.ts";
import type { MapContext, Row } from "./mapping/fields.ts";
import { costCenterColumn } from "./mapping/m3-common.ts";
import {
  mapM3Account,
  mapM3GlVoucher,
  mapM3InvoiceBatch,
  mapM3Payment,
  mapM3PurchaseOrder,
  mapM3Supplier,
} from "./mapping/m3-mappers.ts";
import { readAhead } from "./read-ahead.ts";
import { batchOf, type MappedBatch } from "./source.ts";

/** AP ledger payments (TRCD 50) read for a supplier range from an accounting date. */
interface PaymentWindow {
  rows: MiRecord[];
  covers?: { from: string; to: string; since: number };
}

/**
 * Whole M3 documents read page by page through EXPORTMI. Documents that span tables (PO head +
 * lines + receipts, invoice head + lines, supplier CIDMAS + CIDVEN) are joined per page by
 * reading the child table over the page's key range, so a page of N documents costs a few
 * requests, not N. Listings read one page ahead (read-ahead.ts), so a poller keeps two
 * requests in flight and the shared budget, not gateway latency, sets the pace.
 */
export class M3Documents {
  private readonly reader: TableReader;
  private readonly ctx: MapContext;
  private readonly division: string;
  private readonly now: () => number;
  /** PO lines and receipts: an import's pages ask for rising PO ranges (carried-ranges.ts). */
  private readonly children: CarriedRanges;

  /** `now`: the clock that dates the heads' reads (m3-invoice-heads.ts). */
  constructor(reader: TableReader, ctx: MapContext, now: () => number = Date.now) {
    this.reader = reader;
    this.ctx = ctx;
    this.division = ctx.division;
    this.now = now;
    this.children = new CarriedRanges(reader, now);
  }

  /** `DIVI = <division>` when the source has one. */
  divi(): Predicate[] {
    return this.division ? [{ col: "DIVI", op: "=", value: this.division }] : [];
  }

  async *suppliers(where: Predicate[], pageSize: number): AsyncGenerator<MappedBatch> {
    for await (const page of readAhead(this.reader.select("CIDMAS", where, pageSize))) {
      const firstId = page[0]?.SUNO ?? "";
      const lastId = page[page.length - 1]?.SUNO ?? "";
      const ven = await this.reader.range("CIDVEN", "SUNO", firstId, lastId, false);
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
  async *purchaseOrders(changed: Predicate, pageSize: number): AsyncGenerator<MappedBatch> {
    const numbers = new Set<string>();
    for (const [t, where] of [
      ["MPHEAD", [changed, ...this.divi()]],
      ["MPLINE", [changed]],
      ["MPLIND", [changed]],
    ] as [TableName, Predicate[]][]) {
      // A line table refused to EXPORTMI is no change hint; its rows come per PO below.
      if (!(await this.reader.listable(t))) continue;
      for await (const page of this.reader.select(t, where, Math.max(pageSize, 1000), ["PUNO"])) {
        for (const r of page) if (r.PUNO) numbers.add(r.PUNO);
      }
    }
    const sorted = [...numbers].sort();
    for (let i = 0; i < sorted.length; i += pageSize) {
      const chunk = sorted.slice(i, i + pageSize);
      yield await this.loadPurchaseOrders(chunk);
    }
  }

  async loadPurchaseOrders(chunk: string[]): Promise<MappedBatch> {
    return batchOf("purchase_order", (await this.purchaseOrderOutcomes(chunk)).values());
  }

  /**
   * The POs of `chunk` (sorted), each with its lines and receipts, by PO number: three range
   * reads over [first, last] whatever the chunk's size (lines and receipts read on past `last`
   * for the next chunk, carried-ranges.ts). A PO absent from the map is not in this
   * division (or was deleted).
   */
  async purchaseOrderOutcomes(
    chunk: string[],
  ): Promise<Map<string, ReturnType<typeof mapM3PurchaseOrder>>> {
    const out = new Map<string, ReturnType<typeof mapM3PurchaseOrder>>();
    if (chunk.length === 0) return out;
    const from = chunk[0] ?? "";
    const to = chunk[chunk.length - 1] ?? "";
    const want = new Set(chunk);
    const heads = await this.reader.range("MPHEAD", "PUNO", from, to, false, this.divi());
    // Only POs that exist in this division: an MI fallback reads lines per PO.
    const found = chunk.filter((p) => heads.has(p));
    if (found.length === 0) return out;
    const [lines, receipts] = await Promise.all([
      this.children.range("MPLINE", "PUNO", from, to, found),
      this.children.range("MPLIND", "PUNO", from, to, found),
    ]);
    for (const puno of want) {
      const head = heads.get(puno)?.[0];
      if (!head) continue; // another division's PO, or deleted since
      out.set(
        puno,
        mapM3PurchaseOrder(this.ctx, head, lines.get(puno) ?? [], receipts.get(puno) ?? []),
      );
    }
    return out;
  }

  /**
   * Invoice batches whose head changed, then those paid since: a payment is booked in the AP
   * ledger (FPLEDG TRCD 50) and need not touch the batch head, so the ledger's changed payments
   * name the batches to read again (each batch once per poll).
   */
  async *invoices(
    where: Predicate[],
    pageSize: number,
    paidSince?: Predicate,
  ): AsyncGenerator<MappedBatch> {
    const seen = new Set<string>();
    // Supplier + invoice number of every batch read above: its payments came with it.
    const seenInvoices = new Set<string>();
    const payments: PaymentWindow = { rows: [] };
    const listing = headsWithLines(this.reader, where, pageSize, (h) => this.linesOf(h), this.now);
    for await (const { heads, lines } of readAhead(listing)) {
      for (const h of heads) {
        seen.add(`${h.DIVI ?? ""}|${h.INBN ?? ""}`);
        seenInvoices.add(`${h.SUNO ?? ""}|${(h.SINO ?? "").trim()}`);
      }
      yield await this.invoiceBatch(heads, payments, lines);
    }
    if (!paidSince) return;
    const wanted = new Map<string, { suno: string; sino: string }>();
    const paidRows = this.reader.select(
      "FPLEDG",
      [{ col: "TRCD", op: "=", value: 50 }, paidSince, ...this.divi()],
      Math.max(pageSize, 1000),
      ["SUNO", "SINO"],
    );
    for await (const page of paidRows) {
      for (const p of page) {
        if (!p.SUNO || !p.SINO) continue;
        // Read in the pass above with its payments (paymentsOf): no second read. A first import
        // names every paid invoice here, which cost one FAPIBH read per supplier for nothing.
        // Payments go to batches by supplier and number, so another batch with the same number
        // (a duplicate) not read above would be refreshed by its own next change instead.
        if (seenInvoices.has(`${p.SUNO}|${p.SINO.trim()}`)) continue;
        wanted.set(`${p.SUNO}|${p.SINO}`, { suno: p.SUNO, sino: p.SINO });
      }
    }
    // One read per supplier (its heads, kept when a paid number is theirs), not one per
    // payment: a first import or a payment run names thousands of invoices of a few suppliers.
    const bySupplier = new Map<string, Map<string, string>>();
    for (const { suno, sino } of wanted.values()) {
      const numbers = bySupplier.get(suno) ?? new Map<string, string>();
      numbers.set(sino.trim(), sino);
      bySupplier.set(suno, numbers);
    }
    let heads: MiRecord[] = [];
    for (const [suno, numbers] of bySupplier) {
      const only = numbers.size === 1 ? [...numbers.values()][0] : undefined;
      const found = await this.reader.all("FAPIBH", [
        { col: "SUNO", op: "=", value: suno },
        ...(only !== undefined ? [{ col: "SINO", op: "=" as const, value: only }] : []),
        ...this.divi(),
      ]);
      for (const h of found) {
        if (!numbers.has((h.SINO ?? "").trim())) continue;
        const k = `${h.DIVI ?? ""}|${h.INBN ?? ""}`;
        if (seen.has(k)) continue;
        seen.add(k);
        heads.push(h);
      }
      while (heads.length >= pageSize) {
        yield await this.invoiceBatch(heads.slice(0, pageSize));
        heads = heads.slice(pageSize);
      }
    }
    if (heads.length > 0) yield await this.invoiceBatch(heads);
  }

  private async linesOf(heads: MiRecord[]): Promise<Map<string, MiRecord[]>> {
    const inbns = heads.map((h) => Number(h.INBN)).filter(Number.isFinite);
    if (inbns.length === 0) return new Map();
    return this.reader.range(
      "FAPIBL",
      "INBN",
      String(Math.min(...inbns)),
      String(Math.max(...inbns)),
      true,
      this.divi(),
      heads.map((h) => h.INBN ?? ""),
    );
  }

  /**
   * `window`: payments read for earlier pages of the same listing, reused when they cover this
   * one. `read`: the heads' lines when the listing read them with the heads (m3-invoice-heads.ts).
   */
  async invoiceBatch(
    heads: MiRecord[],
    window?: PaymentWindow,
    read?: Map<string, MiRecord[]>,
  ): Promise<MappedBatch> {
    if (heads.length === 0) return batchOf("supplier_invoice", []);
    const lines = read ?? (await this.linesOf(heads));
    // One after the other: with the listing's read-ahead that keeps two requests in flight.
    const payments = await this.paymentsOf(heads, window);
    const gl = await this.voucherLinesOf(heads, lines);
    return batchOf(
      "supplier_invoice",
      heads.map((h) =>
        mapM3InvoiceBatch(
          this.ctx,
          h,
          lines.get(h.INBN ?? "") ?? [],
          payments.get(`${h.DIVI ?? ""}|${h.SUNO ?? ""}|${h.SINO ?? ""}`) ?? [],
          gl.get(`${h.DIVI ?? ""}|${h.INBN ?? ""}`) ?? [],
        ),
      ),
    );
  }

  /**
   * GL lines (FGLEDG) of the vouchers of posted batches whose lines carry no cost center: the
   * next place M3 keeps one (fallback order in routing.example.yml). One read per such voucher.
   */
  private async voucherLinesOf(
    heads: MiRecord[],
    lines: Map<string, MiRecord[]>,
  ): Promise<Map<string, MiRecord[]>> {
    const out = new Map<string, MiRecord[]>();
    const column = costCenterColumn(this.ctx);
    for (const h of heads) {
      const vono = Number(h.VONO);
      if (Number(h.SUPA) !== 90 || !Number.isFinite(vono) || vono <= 0) continue;
      if ((lines.get(h.INBN ?? "") ?? []).some((l) => l[column]?.trim())) continue;
      const year = Number(h.YEA4) || Number((h.ACDT ?? "").slice(0, 4));
      if (!year) continue;
      const rows = await this.reader.all("FGLEDG", [
        { col: "YEA4", op: "=", value: year },
        { col: "VONO", op: "=", value: vono },
        ...(h.VSER?.trim() ? [{ col: "VSER", op: "=" as const, value: h.VSER.trim() }] : []),
        ...this.divi(),
      ]);
      out.set(`${h.DIVI ?? ""}|${h.INBN ?? ""}`, rows);
    }
    return out;
  }

  /**
   * AP ledger payments (FPLEDG TRCD 50) of the batches updated in APL (SUPA 90), by division,
   * supplier and invoice number: one read over the page's supplier range, from the earliest
   * accounting date among them (a payment is never booked before its invoice).
   */
  private async paymentsOf(
    heads: MiRecord[],
    window: PaymentWindow = { rows: [] },
  ): Promise<Map<string, MiRecord[]>> {
    const posted = heads.filter((h) => Number(h.SUPA) === 90 && h.SUNO && h.SINO);
    const out = new Map<string, MiRecord[]>();
    if (posted.length === 0) return out;
    const suppliers = posted.map((h) => h.SUNO ?? "").sort();
    const dates = posted.map((h) => Number(h.ACDT)).filter((d) => Number.isFinite(d) && d > 0);
    const from = suppliers[0] ?? "";
    const to = suppliers[suppliers.length - 1] ?? "";
    const since = dates.length > 0 ? Math.min(...dates) : 0;
    // An import's pages each span most suppliers from about the same date: one read answers
    // the pages it covers; a page outside it reads only what the window lacks (the suppliers on
    // either side, its own suppliers' earlier dates), which then covers the rest. (A payment
    // booked after a read is a changed ledger row: the next poll's paid pass has it.)
    const w = window.covers;
    const paid = (where: Predicate[]) =>
      this.reader.all("FPLEDG", [{ col: "TRCD", op: "=", value: 50 }, ...where, ...this.divi()]);
    const dated = (s: number): Predicate[] => (s > 0 ? [{ col: "ACDT", op: ">=", value: s }] : []);
    if (!w) {
      window.rows = await paid([
        ...(from === to
          ? [{ col: "SUNO", op: "=" as const, value: from }]
          : [
              { col: "SUNO", op: ">=" as const, value: from },
              { col: "SUNO", op: "<=" as const, value: to },
            ]),
        ...dated(since),
      ]);
      window.covers = { from, to, since };
    } else if (w.from > from || to > w.to || w.since > since) {
      // Supplier numbers are strings: the earlier and later in string order.
      const [lo = from] = [w.from, from].sort();
      const [, hi = to] = [w.to, to].sort();
      const earliest = Math.min(w.since, since);
      const strips: Predicate[][] = [];
      if (lo < w.from) {
        strips.push([
          { col: "SUNO", op: ">=", value: lo },
          { col: "SUNO", op: "<", value: w.from },
          ...dated(earliest),
        ]);
      }
      if (hi > w.to) {
        strips.push([
          { col: "SUNO", op: ">", value: w.to },
          { col: "SUNO", op: "<=", value: hi },
          ...dated(earliest),
        ]);
      }
      if (earliest < w.since) {
        strips.push([
          { col: "SUNO", op: ">=", value: w.from },
          { col: "SUNO", op: "<=", value: w.to },
          ...dated(earliest),
          { col: "ACDT", op: "<", value: w.since },
        ]);
      }
      for (const strip of strips) window.rows.push(...(await paid(strip)));
      window.covers = { from: lo, to: hi, since: earliest };
    }
    for (const r of window.rows) {
      const k = `${r.DIVI ?? ""}|${r.SUNO ?? ""}|${r.SINO ?? ""}`;
      out.set(k, [...(out.get(k) ?? []), r]);
    }
    return out;
  }

  async *payments(where: Predicate[], pageSize: number): AsyncGenerator<MappedBatch> {
    for await (const page of readAhead(this.reader.select("FPLEDG", where, pageSize))) {
      yield batchOf(
        "payment",
        page.map((r) => mapM3Payment(this.ctx, r)),
      );
    }
  }

  /** GL lines grouped into vouchers (YEA4 + VSER + VONO); a voucher split by a page waits. */
  async *vouchers(where: Predicate[], pageSize: number): AsyncGenerator<MappedBatch> {
    let pending: Row[] = [];
    const keyOf = (r: Row) => `${r.YEA4}|${r.VSER}|${r.VONO}`;
    for await (const page of readAhead(this.reader.select("FGLEDG", where, pageSize))) {
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

  async *accounts(where: Predicate[], pageSize: number): AsyncGenerator<MappedBatch> {
    for await (const page of readAhead(this.reader.select("FCHACC", where, pageSize))) {
      yield batchOf(
        "account",
        page.map((r) => mapM3Account(this.ctx, r)),
      );
    }
  }

  /** GL rows grouped into vouchers (YEA4 + VSER + VONO). */
  glVouchers(rows: Row[]): MappedBatch {
    const groups = new Map<string, Row[]>();
    for (const r of rows) {
      const k = `${r.YEA4}|${r.VSER}|${r.VONO}`;
      const g = groups.get(k) ?? [];
      g.push(r);
      groups.set(k, g);
    }
    return batchOf(
      "gl_voucher",
      [...groups.values()].map((g) => mapM3GlVoucher(this.ctx, g)),
    );
  }
}
