import { InforError } from "../errors.ts";
import type { MiClient, MiRecord } from "./mi-client.ts";

/**
 * List paging by key continuation. MI list transactions start at a key (e.g. FRSU for
 * CRS620MI/LstSuppliers) and return up to `maxrecs` rows in key order; the next page starts at
 * the last key seen, inclusively, so the leading rows with that same key are dropped (compared by equality: M3's
 * collation need not match JavaScript's string order). `maxrecs=0`
 * would ask for everything at once, which large tenants time out on (infor-ion-api.md).
 */

export interface KeyPaging {
  /** Output fields that form the list key, in sort order (e.g. ["SUNO"]). */
  keyFields: string[];
  /** Inputs for the page that starts at `last` (e.g. { FRSU: last.SUNO }). */
  startAt: (last: MiRecord) => Record<string, string>;
}

export interface PageOptions {
  pageSize?: number;
  /** Safety stop (default 100,000 pages). */
  maxPages?: number;
}

function keyOf(rec: MiRecord, fields: string[]): string {
  return fields.map((f) => rec[f] ?? "").join("\u0000");
}

export async function* listPages(
  mi: MiClient,
  program: string,
  transaction: string,
  inputs: Record<string, string | number | undefined>,
  paging: KeyPaging,
  options: PageOptions = {},
): AsyncGenerator<MiRecord[]> {
  const pageSize = Math.max(2, options.pageSize ?? 500);
  const maxPages = options.maxPages ?? 100_000;
  let next: Record<string, string | number | undefined> = inputs;
  let lastKey: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const { records, requestId } = await mi.execute(program, transaction, next, {
      maxrecs: pageSize,
    });
    let fresh = records;
    if (lastKey !== undefined) {
      const seen = lastKey;
      let skip = 0;
      while (skip < records.length) {
        const rec = records[skip];
        if (!rec || keyOf(rec, paging.keyFields) !== seen) break;
        skip++;
      }
      fresh = records.slice(skip);
    }
    if (fresh.length > 0) yield fresh;
    if (records.length < pageSize) return;
    const last = records[records.length - 1];
    if (!last) return;
    const key = keyOf(last, paging.keyFields);
    if (fresh.length === 0 || key === lastKey) {
      // A full page with no new key: more rows share one key than fit a page. Fail loudly.
      throw new InforError(
        "paging_stuck",
        `${program}/${transaction}: a full page without a new key; raise pageSize above ${pageSize}`,
        requestId,
      );
    }
    lastKey = key;
    next = { ...inputs, ...paging.startAt(last) };
  }
}
