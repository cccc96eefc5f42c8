import type { Logger } from "pino";
import type { CanonicalRecord, Supplier } from "../infor/records.ts";
import type { ReferenceCache } from "./reference.ts";

/**
 * Supplier names for records that carry only the supplier id. M3's invoice and PO lists
 * (FPLEDG, MPHEAD) hold SUNO but not the name (SUNM lives in CIDMAS), so an alert would read
 * "(3000001)" where `/infor supplier` knows "Nordic Office Supply Ltd". Names come from the
 * reference cache; a supplier the cache lacks (the supplier poll starts from the first-run date,
 * so older suppliers are never listed) is read once from the ERP and cached.
 */
export interface NameScope {
  tenant: string;
  company: string;
  /** The ERP read needs a division context (M3 suppliers are per company). */
  division: string;
}

export type SupplierNames = (
  scope: NameScope,
  ids: readonly string[],
) => Promise<Map<string, string>>;

export interface SupplierNameOptions {
  reference: ReferenceCache;
  /** ERP read for a supplier missing from the cache; omitted: cache only. */
  fetch?: (scope: NameScope, id: string) => Promise<Supplier | undefined>;
  logger?: Logger;
}

export function supplierNameResolver(o: SupplierNameOptions): SupplierNames {
  return async (scope, ids) => {
    const names = new Map<string, string>();
    for (const id of new Set(ids)) {
      let supplier = await o.reference.getSupplier(scope.tenant, scope.company, id);
      if (!supplier?.name && o.fetch) {
        try {
          supplier = await o.fetch(scope, id);
          if (supplier) await o.reference.store([supplier]);
        } catch (err) {
          // A name is a nicety: the alert still goes out with the id.
          o.logger?.warn({ err, supplierId: id }, "supplier name lookup failed");
        }
      }
      if (supplier?.name) names.set(id, supplier.name);
    }
    return names;
  };
}

type Named = Extract<
  CanonicalRecord,
  { entity: "supplier_invoice" | "purchase_order" | "payment" }
>;

function needsName(r: CanonicalRecord): r is Named {
  return (
    (r.entity === "supplier_invoice" || r.entity === "purchase_order" || r.entity === "payment") &&
    !r.supplierName
  );
}

/** The records with their supplier names filled in where the resolver knows them. */
export async function withSupplierNames<T extends CanonicalRecord>(
  records: readonly T[],
  resolve: SupplierNames,
): Promise<T[]> {
  const byScope = new Map<string, NameScope & { ids: string[] }>();
  for (const r of records) {
    if (!needsName(r)) continue;
    const k = `${r.tenant}\u0000${r.company}\u0000${r.division}`;
    const entry = byScope.get(k) ?? {
      tenant: r.tenant,
      company: r.company,
      division: r.division,
      ids: [],
    };
    entry.ids.push(r.supplierId);
    byScope.set(k, entry);
  }
  if (byScope.size === 0) return [...records];
  const names = new Map<string, string>();
  for (const [k, s] of byScope) {
    for (const [id, name] of await resolve(s, s.ids)) names.set(`${k}\u0000${id}`, name);
  }
  return records.map((r) => {
    if (!needsName(r)) return r;
    const name = names.get(`${r.tenant}\u0000${r.company}\u0000${r.division}\u0000${r.supplierId}`);
    return name ? ({ ...r, supplierName: name } as T) : r;
  });
}
