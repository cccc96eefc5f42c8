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
  // Rows already yielded with lastKey: the restart repeats exactly those (and maybe more).
  let seenAtLastKey = 0;
  for (let page = 0; page < maxPages; page++) {
    // A continuation page repeats the start row, so ask for one more to keep pages full.
    const maxrecs = lastKey === undefined ? pageSize : pageSize + 1;
    const { records, requestId } = await mi.execute(program, transaction, next, { maxrecs });
    const keys = records.map((r) => keyOf(r, paging.keyFields));
    let leading = 0;
    while (lastKey !== undefined && leading < keys.length && keys[leading] === lastKey) leading++;
    const skip = Math.min(leading, seenAtLastKey);
    const fresh = records.slice(skip);
    if (fresh.length > 0) yield fresh;
    if (records.length < maxrecs) return;
    const newLast = keys[keys.length - 1];
    const last = records[records.length - 1];
    if (newLast === undefined || !last) return;
    if (leading === keys.length) {
      // A full page of one key: the next restart could not get past it. Fail loudly.
      throw new InforError(
        "paging_stuck",
        `${program}/${transaction}: more rows share one key than fit a page; raise pageSize above ${pageSize}`,
        requestId,
      );
    }
    let trailing = 0;
    while (trailing < keys.length && keys[keys.length - 1 - trailing] === newLast) trailing++;
    lastKey = newLast;
    seenAtLastKey = trailing;
    next = { ...inputs, ...paging.startAt(last) };
  }
}
