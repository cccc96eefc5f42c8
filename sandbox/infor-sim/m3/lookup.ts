import type { InvoiceRec, PoRec, SupplierRec, TenantData } from "../data/model.ts";

/** Key indexes over a tenant's data, rebuilt when its version changes. */
interface Indexes {
  version: number;
  suppliers: Map<string, SupplierRec>;
  pos: Map<string, PoRec>;
  invoices: Map<number, InvoiceRec>;
}

const cache = new WeakMap<TenantData, Indexes>();

export function indexes(data: TenantData): Indexes {
  const hit = cache.get(data);
  if (hit && hit.version === data.version) return hit;
  const built: Indexes = {
    version: data.version,
    suppliers: new Map(data.suppliers.map((s) => [`${s.cono}/${s.suno}`, s])),
    pos: new Map(data.pos.map((p) => [`${p.cono}/${p.puno}`, p])),
    invoices: new Map(data.invoices.map((i) => [i.inbn, i])),
  };
  cache.set(data, built);
  return built;
}

export function findSupplier(
  data: TenantData,
  cono: number,
  suno: string,
): SupplierRec | undefined {
  return indexes(data).suppliers.get(`${cono}/${suno}`);
}

export function findPo(data: TenantData, cono: number, puno: string): PoRec | undefined {
  return indexes(data).pos.get(`${cono}/${puno}`);
}

export function findInvoice(data: TenantData, inbn: number): InvoiceRec | undefined {
  return indexes(data).invoices.get(inbn);
}
