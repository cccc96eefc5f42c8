import { InforError } from "../errors.ts";
import type { MiClient, MiRecord } from "./mi-client.ts";

/**
 * EXPORTMI/Select: bulk reads with an SQL-like QERY (`COLS from TABLE where …`, keywords in lower
 * case), rows returned one per record as a single delimited string in REPL, split by SEPC, with
 * a header row when HDRS=1 (m3-fields.md). QERY is limited to 982 characters and REPL to 3985.
 * Paging is by key continuation: `where <filter> and K > 'last'`; the grammar has no parentheses,
 * so a compound key expands to `F and K1 > a or F and K1 = a and K2 > b`.
 * Columns come back renamed without the table prefix (`IBPUNO` → `PUNO`), so mappers read the
 * same field codes as from MI list transactions.
 */

export type Op = "=" | "<>" | "<" | "<=" | ">" | ">=";

export interface Predicate {
  col: string;
  op: Op;
  value: string | number;
}

export interface KeyColumn {
  col: string;
  /** Numeric columns compare as numbers (literal without quotes). */
  numeric?: boolean;
}

export interface ExportQuery {
  table: string;
  /** Full column names including the table prefix (e.g. IBPUNO). */
  columns: string[];
  /** AND-ed filter. */
  where?: Predicate[];
  /** Primary-key columns in sort order; used for key continuation. */
  keys: KeyColumn[];
}

export const QERY_MAX = 982;
const COL_RE = /^[A-Z][A-Z0-9]{1,9}$/;

function literal(value: string | number, numeric: boolean): string {
  if (numeric || typeof value === "number") {
    const text = String(value).trim();
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new RangeError(`not a number: ${text}`);
    return text;
  }
  return `'${value.replaceAll("'", "''")}'`;
}

function pred(p: Predicate, numeric = false): string {
  if (!COL_RE.test(p.col)) throw new RangeError(`bad column name: ${p.col}`);
  return `${p.col} ${p.op} ${literal(p.value, numeric)}`;
}

/**
 * Build QERY; `after` holds the last row's key values (continuation), `also` a conjunction
 * OR-ed to the whole filter (rows it adds come back in key order with the others). Pure.
 */
export function buildQuery(q: ExportQuery, after?: string[], also?: Predicate[]): string {
  for (const c of q.columns) if (!COL_RE.test(c)) throw new RangeError(`bad column name: ${c}`);
  const base = (q.where ?? []).map((p) => pred(p));
  const terms: string[][] = [];
  if (after && after.length > 0) {
    q.keys.forEach((k, i) => {
      const term = [...base];
      for (let j = 0; j < i; j++) {
        const kj = q.keys[j];
        if (kj) term.push(pred({ col: kj.col, op: "=", value: after[j] ?? "" }, kj.numeric));
      }
      term.push(pred({ col: k.col, op: ">", value: after[i] ?? "" }, k.numeric));
      terms.push(term);
    });
  } else if (base.length > 0) {
    terms.push(base);
  }
  if (also && also.length > 0) terms.push(also.map((p) => pred(p)));
  const where = terms.length > 0 ? ` where ${terms.map((t) => t.join(" and ")).join(" or ")}` : "";
  const text = `${q.columns.join(", ")} from ${q.table}${where}`;
  if (text.length > QERY_MAX) {
    throw new InforError(
      "query_too_long",
      `EXPORTMI QERY is ${text.length} characters; the limit is ${QERY_MAX}`,
    );
  }
  return text;
}

/** Marker field set on a row whose REPL did not split into the expected columns. */
export const ROW_ERROR = "_ROW_ERROR";

/**
 * Unprefixed field names by column list (a page's rows share one list): named once per page,
 * not once per row and column (bench/scenarios/pipeline.ts).
 */
const namesByColumns = new WeakMap<string[], string[]>();

function fieldNames(columns: string[]): string[] {
  let names = namesByColumns.get(columns);
  if (names === undefined || names.length !== columns.length) {
    names = columns.map((c) => (c.length > 4 ? c.slice(2) : c));
    namesByColumns.set(columns, names);
  }
  return names;
}

/** Split one REPL into a record keyed by unprefixed field names. Pure. */
export function splitRepl(repl: string, columns: string[], sep: string): MiRecord {
  const parts = repl.split(sep);
  const rec: MiRecord = {};
  const names = fieldNames(columns);
  for (let i = 0; i < names.length; i++) {
    rec[names[i] as string] = (parts[i] ?? "").trim();
  }
  if (parts.length !== columns.length) {
    // A value containing the separator, or a row cut at 3985 characters: let the mapper's
    // validation quarantine it instead of silently shifting columns.
    rec[ROW_ERROR] = `expected ${columns.length} columns, got ${parts.length}`;
  }
  return rec;
}

export interface SelectOptions {
  pageSize?: number;
  /** SEPC (default "|"). */
  separator?: string;
  maxPages?: number;
  /** Company (cono) context for every page; default: the MiClient's. */
  company?: string;
  /**
   * Division (divi) context for every page; default: the MiClient's. Infor's EXPORTMI notes:
   * filters on division work only for a session on the global (blank) division, so readers
   * that filter on DIVI pass "".
   */
  division?: string;
  /**
   * Asked before each continuation page: a conjunction (full column names) OR-ed to that
   * page's filter, so rows before the continuation key can ride along with the next page.
   * `taken` is called when the page's query carries it (not when QERY would grow too long).
   */
  also?: () => { where: Predicate[]; taken: () => void } | undefined;
}

/** Read a whole table slice page by page. Each yielded page holds unprefixed records. */
export async function* exportSelect(
  mi: MiClient,
  q: ExportQuery,
  options: SelectOptions = {},
): AsyncGenerator<MiRecord[]> {
  const pageSize = Math.max(2, options.pageSize ?? 1000);
  const sep = options.separator ?? "|";
  const maxPages = options.maxPages ?? 100_000;
  let columns = q.columns;
  let after: string[] | undefined;
  for (let page = 0; page < maxPages; page++) {
    const first = page === 0;
    const also = after ? options.also?.() : undefined;
    let text = buildQuery(q, after);
    if (also) {
      try {
        text = buildQuery(q, after, also.where);
        also.taken();
      } catch (err) {
        if (!(err instanceof InforError && err.code === "query_too_long")) throw err;
      }
    }
    const { records, requestId } = await mi.execute(
      "EXPORTMI",
      "Select",
      { QERY: text, SEPC: sep, HDRS: first ? "1" : "0" },
      {
        maxrecs: pageSize,
        ...(options.company ? { company: options.company } : {}),
        ...(options.division !== undefined ? { division: options.division } : {}),
      },
    );
    let rows = records.map((r) => r.REPL);
    if (rows.some((r) => r === undefined)) {
      throw new InforError("malformed_response", "EXPORTMI record without REPL", requestId);
    }
    let full = rows.length >= pageSize;
    if (first) {
      // HDRS=1: the first record names the columns; trust it over our own list.
      const header = (rows[0] ?? "").split(sep).map((h) => h.trim());
      if (header.length === q.columns.length && header.every((h) => COL_RE.test(h))) {
        columns = header;
        rows = rows.slice(1);
        // Whether maxrecs counts the header row is not documented: treat pageSize-1 as maybe-full.
        full = rows.length >= pageSize - 1;
      }
    }
    const recs = (rows as string[]).map((r) => splitRepl(r, columns, sep));
    if (recs.length > 0) yield recs;
    if (!full || recs.length === 0) return;
    const last = recs[recs.length - 1];
    if (!last || last[ROW_ERROR]) {
      throw new InforError(
        "paging_stuck",
        "EXPORTMI: last row unreadable; cannot continue",
        requestId,
      );
    }
    // Rows an `also` brought lie before the continuation key: only a row past it moves the
    // listing on. An answer they fill alone leaves it where it was (going back to their last
    // key listed again every row between it and the old one).
    const next = also && after ? lastPast(recs, after, q.keys) : last;
    if (next) after = keyOf(next, q.keys);
  }
}

function keyOf(row: MiRecord, keys: KeyColumn[]): string[] {
  return keys.map((k) => row[k.col.slice(2)] ?? "");
}

/** The last row whose key sorts after `after` (EXPORTMI's key order), if any. Pure. */
export function lastPast(
  rows: MiRecord[],
  after: string[],
  keys: KeyColumn[],
): MiRecord | undefined {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i] as MiRecord;
    if (compareKeys(keyOf(row, keys), after, keys) > 0) return row;
  }
  return undefined;
}

function compareKeys(a: string[], b: string[], keys: KeyColumn[]): number {
  for (let i = 0; i < keys.length; i++) {
    const x = a[i] ?? "";
    const y = b[i] ?? "";
    if (x === y) continue;
    if (keys[i]?.numeric) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    } else return x < y ? -1 : 1;
  }
  return 0;
}
