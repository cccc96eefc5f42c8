import type { Account, CanonicalRecord, Supplier } from "../infor/records.ts";
import { DEFAULT_KEY_PREFIX } from "../shared/key-prefix.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import { syncKeys } from "./keys.ts";

/**
 * Reference data cached in Redis for routing and lookups: suppliers, accounts and cost centers,
 * one Redis hash per (tenant, company, kind), field = id, value = the canonical record as JSON.
 * The pollers for `supplier` and `account` fill it with every valid record they read.
 */
export interface ReferenceCache {
  /** Cache the master records among these (others are ignored). */
  store(records: readonly CanonicalRecord[]): Promise<number>;
  getSupplier(tenant: string, company: string, id: string): Promise<Supplier | undefined>;
  /** Case-insensitive match on id or name, for `/infor supplier <name>`. */
  findSuppliers(
    tenant: string,
    company: string,
    query: string,
    limit?: number,
  ): Promise<Supplier[]>;
  getAccount(
    tenant: string,
    company: string,
    dimension: number,
    id: string,
  ): Promise<Account | undefined>;
  /** A cost center is an account of the cost-center dimension (2 in most M3 setups). */
  getCostCenter(tenant: string, company: string, id: string): Promise<Account | undefined>;
}

export interface ReferenceCacheOptions {
  redis: RedisClient;
  prefix?: string;
  /** Accounting dimension holding cost centers (M3 AIT2 in most setups). */
  costCenterDimension?: number;
}

export function createReferenceCache(options: ReferenceCacheOptions): ReferenceCache {
  const { redis } = options;
  const keys = syncKeys(options.prefix ?? DEFAULT_KEY_PREFIX);
  const ccDim = options.costCenterDimension ?? 2;
  const supplierKey = (t: string, c: string) => keys.reference(t, c, "supplier");
  const accountKey = (t: string, c: string, dim: number) => keys.reference(t, c, `account-${dim}`);

  async function getJson<T>(key: string, field: string): Promise<T | undefined> {
    const text = await redis.hget(key, field);
    return text ? (JSON.parse(text) as T) : undefined;
  }

  return {
    async store(records) {
      const byKey = new Map<string, string[]>();
      const add = (key: string, field: string, value: unknown) => {
        const list = byKey.get(key) ?? [];
        list.push(field, JSON.stringify(value));
        byKey.set(key, list);
      };
      for (const r of records) {
        if (r.entity === "supplier") add(supplierKey(r.tenant, r.company), r.id, r);
        else if (r.entity === "account") add(accountKey(r.tenant, r.company, r.dimension), r.id, r);
      }
      if (byKey.size === 0) return 0;
      const m = redis.multi();
      let n = 0;
      for (const [key, flat] of byKey) {
        m.hset(key, ...flat);
        n += flat.length / 2;
      }
      await m.exec();
      return n;
    },
    getSupplier: (t, c, id) => getJson<Supplier>(supplierKey(t, c), id),
    async findSuppliers(t, c, query, limit = 10) {
      const trimmed = query.trim();
      const q = trimmed.toLowerCase();
      if (!q) return [];
      const key = supplierKey(t, c);
      // Exact id first, so "/infor supplier 10042" shows that supplier on top: looked up
      // directly (as typed, then upper case as M3 keys are), because the scan below stops once
      // it has `limit` name matches and may never reach the id.
      const exact =
        (await getJson<Supplier>(key, trimmed)) ??
        (trimmed.toUpperCase() !== trimmed
          ? await getJson<Supplier>(key, trimmed.toUpperCase())
          : undefined);
      const out: Supplier[] = exact ? [exact] : [];
      let cursor = "0";
      do {
        const [next, flat] = await redis.hscan(key, cursor, "COUNT", 500);
        cursor = next;
        for (let i = 1; i < flat.length; i += 2) {
          const s = JSON.parse(flat[i] ?? "null") as Supplier | null;
          if (!s || s.id === exact?.id) continue;
          if (s.id.toLowerCase() === q || s.name.toLowerCase().includes(q)) out.push(s);
        }
      } while (cursor !== "0" && out.length < limit);
      // An id that matches only case-insensitively still goes before the name matches.
      out.sort((a, b) => Number(b.id.toLowerCase() === q) - Number(a.id.toLowerCase() === q));
      return out.slice(0, limit);
    },
    getAccount: (t, c, dim, id) => getJson<Account>(accountKey(t, c, dim), id),
    getCostCenter: (t, c, id) => getJson<Account>(accountKey(t, c, ccDim), id),
  };
}
