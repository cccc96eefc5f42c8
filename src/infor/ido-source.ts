import { InforError } from "./errors.ts";
import type { IdoClient, IdoItem } from "./ido/ido-client.ts";
import type { MapContext } from "./mapping/fields.ts";
import {
  mapIdoLedger,
  mapIdoPurchaseOrder,
  mapIdoVendor,
  mapIdoVoucher,
} from "./mapping/ido-mappers.ts";
import { readAhead } from "./read-ahead.ts";
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
  periodRange,
  ymdNumber,
} from "./source.ts";

/**
 * SyteLine / CSI implementation of `InforSource` over IDO LoadCollection with bookmark paging
 * (contract in source.ts). Filters use the documented subset (`Prop op literal AND …`, string
 * literals `N'…'`). Payments and chart-of-accounts IDOs are not confirmed on a tenant
 * (syteline-ido.md: SLAptrxps / SLChartAccts unverified), so those entities are unsupported.
 */

export interface SyteLineSourceOptions {
  tenant: string;
  /** CSI site; used as company. */
  site: string;
  localCurrency?: string;
}

const PROPS = {
  SLVendors: "VendNum Name CurrCode TermsCode Country TaxRegNum1 Stat CreateDate RecordDate",
  SLPos: "PoNum VendNum OrderDate Stat CurrCode Buyer TotalCost Whse RecordDate",
  SLPoItems:
    "PoNum PoLine PoRelease Item Description QtyOrdered QtyReceived QtyVoucher ItemCost UM Stat DueDate RecordDate",
  SLVchHdrs:
    "VendNum VadName Voucher VouchSeq InvNum InvDate DistDate RecordDate Type InvAmt TermsCode PreRegister InWorkflow PoNum CurrCode",
  SLLedgers:
    "TransNum Acct AcctUnit1 TransDate DomAmount ForAmount CurrCode Ref VendNum Voucher RecordDate",
} as const;

function props(ido: keyof typeof PROPS): string[] {
  return PROPS[ido].split(" ");
}

/** A string literal for an IDO filter (N'…' with quotes doubled). */
export function lit(value: string): string {
  return `N'${value.replaceAll("'", "''")}'`;
}

export function createSyteLineSource(ido: IdoClient, o: SyteLineSourceOptions): InforSource {
  return new SyteLineSource(ido, o);
}

class SyteLineSource implements InforSource {
  readonly kind = "syteline" as const;
  readonly tenant: string;
  readonly company: string;
  readonly division = "";
  private readonly ido: IdoClient;
  private readonly ctx: MapContext;

  constructor(ido: IdoClient, o: SyteLineSourceOptions) {
    this.ido = ido;
    this.tenant = o.tenant;
    this.company = o.site;
    this.ctx = {
      tenant: o.tenant,
      company: o.site,
      division: "",
      ...(o.localCurrency ? { localCurrency: o.localCurrency } : {}),
    };
  }

  supports(entity: Entity): boolean {
    return entity !== "payment" && entity !== "account";
  }

  private load(
    name: keyof typeof PROPS,
    filter: string | undefined,
    orderby: string,
    pageSize: number,
  ) {
    return this.ido.load(name, {
      properties: props(name),
      ...(filter ? { filter } : {}),
      orderby,
      pageSize,
    });
  }

  listChanged(
    entity: Entity,
    since: string,
    options: ListOptions = {},
  ): AsyncIterable<MappedBatch> {
    const pageSize = options.pageSize ?? 200;
    const filter = `RecordDate >= ${lit(String(ymdNumber(since)))}`;
    let gen: AsyncIterable<MappedBatch>;
    switch (entity) {
      case "supplier":
        gen = this.simple(
          "SLVendors",
          "VendNum",
          filter,
          pageSize,
          (i) => mapIdoVendor(this.ctx, i),
          entity,
        );
        break;
      case "supplier_invoice":
        gen = this.simple(
          "SLVchHdrs",
          "Voucher",
          filter,
          pageSize,
          (i) => mapIdoVoucher(this.ctx, i),
          entity,
        );
        break;
      case "gl_voucher":
        gen = this.simple(
          "SLLedgers",
          "TransNum",
          filter,
          pageSize,
          (i) => mapIdoLedger(this.ctx, i),
          entity,
        );
        break;
      case "purchase_order":
        gen = this.purchaseOrders(filter, pageSize);
        break;
      default:
        throw new InforError("unsupported", `SyteLine source cannot list ${entity}`);
    }
    return abortable(gen, options.signal);
  }

  private async *simple(
    name: keyof typeof PROPS,
    key: string,
    filter: string | undefined,
    pageSize: number,
    map: (i: IdoItem) => ReturnType<typeof mapIdoVendor>,
    entity: Entity,
  ): AsyncGenerator<MappedBatch> {
    for await (const page of readAhead(this.load(name, filter, key, pageSize))) {
      yield batchOf(entity, page.map(map));
    }
  }

  private async *purchaseOrders(
    filter: string | undefined,
    pageSize: number,
  ): AsyncGenerator<MappedBatch> {
    for await (const heads of readAhead(this.load("SLPos", filter, "PoNum", pageSize))) {
      yield await this.withItems(heads);
    }
  }

  private async withItems(heads: IdoItem[]): Promise<MappedBatch> {
    const first = heads[0]?.PoNum ?? "";
    const last = heads[heads.length - 1]?.PoNum ?? "";
    const items = new Map<string, IdoItem[]>();
    if (heads.length > 0) {
      const f =
        first === last
          ? `PoNum = ${lit(first)}`
          : `PoNum >= ${lit(first)} AND PoNum <= ${lit(last)}`;
      for await (const page of this.load("SLPoItems", f, "PoNum,PoLine,PoRelease", 500)) {
        for (const it of page) {
          const list = items.get(it.PoNum ?? "") ?? [];
          list.push(it);
          items.set(it.PoNum ?? "", list);
        }
      }
    }
    return batchOf(
      "purchase_order",
      heads.map((h) => mapIdoPurchaseOrder(this.ctx, h, items.get(h.PoNum ?? "") ?? [])),
    );
  }

  private async collect(
    name: keyof typeof PROPS,
    filter: string,
    orderby: string,
    map: (i: IdoItem) => ReturnType<typeof mapIdoVendor>,
    entity: Entity,
    limit = 1000,
  ): Promise<MappedBatch> {
    const out: MappedBatch = { entity, records: [], rejects: [] };
    for await (const page of this.load(name, filter, orderby, Math.min(limit, 200))) {
      const b = batchOf(entity, page.map(map));
      out.records.push(...b.records);
      out.rejects.push(...b.rejects);
      if (out.records.length + out.rejects.length >= limit) break;
    }
    return out;
  }

  async getSupplier(id: string): Promise<Lookup<Supplier>> {
    const b = await this.collect(
      "SLVendors",
      `VendNum = ${lit(id.trim())}`,
      "VendNum",
      (i) => mapIdoVendor(this.ctx, i),
      "supplier",
      1,
    );
    return lookupOf(b);
  }

  async searchSuppliers(text: string, limit = 10): Promise<Lookup<Supplier>> {
    const exact = await this.getSupplier(text);
    if (exact.records.length > 0) return exact;
    // The documented filter subset has no LIKE: scan names (bounded) and match here.
    const needle = text.trim().toLowerCase();
    const out: MappedBatch = { entity: "supplier", records: [], rejects: [] };
    let scanned = 0;
    for await (const page of this.load("SLVendors", undefined, "VendNum", 200)) {
      const hits = page.filter((i) => (i.Name ?? "").toLowerCase().includes(needle));
      const b = batchOf(
        "supplier",
        hits.map((i) => mapIdoVendor(this.ctx, i)),
      );
      out.records.push(...b.records);
      out.rejects.push(...b.rejects);
      scanned += page.length;
      if (out.records.length >= limit || scanned >= 5000) break;
    }
    out.records = out.records.slice(0, limit);
    return lookupOf(out);
  }

  async getPurchaseOrder(number: string): Promise<Lookup<PurchaseOrder>> {
    const heads: IdoItem[] = [];
    for await (const page of this.load("SLPos", `PoNum = ${lit(number.trim())}`, "PoNum", 1)) {
      heads.push(...page);
    }
    return lookupOf(await this.withItems(heads));
  }

  async findInvoice(
    supplierId: string | undefined,
    number: string,
  ): Promise<Lookup<SupplierInvoice>> {
    let filter = `InvNum = ${lit(number.trim())}`;
    if (supplierId) filter += ` AND VendNum = ${lit(supplierId.trim())}`;
    return lookupOf(
      await this.collect(
        "SLVchHdrs",
        filter,
        "Voucher",
        (i) => mapIdoVoucher(this.ctx, i),
        "supplier_invoice",
        100,
      ),
    );
  }

  async listPayments(): Promise<Lookup<Payment>> {
    throw new InforError(
      "unsupported",
      "SyteLine payments are not available through a confirmed IDO",
    );
  }

  async listGlLines(account: string, period: string): Promise<Lookup<GlVoucher>> {
    const [lo, hi] = periodRange(period);
    const filter = `Acct = ${lit(account.trim())} AND TransDate >= ${lit(String(lo))} AND TransDate <= ${lit(`${hi} 23:59:59.999`)}`;
    return lookupOf(
      await this.collect(
        "SLLedgers",
        filter,
        "TransNum",
        (i) => mapIdoLedger(this.ctx, i),
        "gl_voucher",
        5000,
      ),
    );
  }
}
