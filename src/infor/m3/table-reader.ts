import { groupBy } from "../../shared/group-by.ts";
import type { ColumnCatalog } from "./column-catalog.ts";
import { isRefusal } from "./column-detect.ts";
import { exportSelect, type Predicate, type SelectOptions } from "./exportmi.ts";
import type { MiClient, MiRecord } from "./mi-client.ts";
import {
  type FilterFallback,
  type FilterFallbackOptions,
  filterFallbacks,
  filterRows,
  LIST_FALLBACKS,
  sortByKeys,
} from "./mi-list-fallback.ts";
import { query, TABLES, type TableName, type TableSpec } from "./tables.ts";

export interface TableReaderOptions {
  /** Detects the columns each table offers; without it every spec column is selected. */
  catalog?: ColumnCatalog | undefined;
  /** Division for MI list fallbacks that take one. */
  division?: string | undefined;
  fallback?: FilterFallbackOptions | undefined;
  /**
   * Division context of EXPORTMI calls. Infor: "Filters including division are only supported
   * for API sessions logged in on a global division (blank division)", and the readers filter
   * on DIVI, so the default is "blank" (`divi=` sent empty). "default" sends the MiClient's
   * division, for a tenant whose blank-division session is refused.
   */
  exportDivision?: "blank" | "default" | undefined;
}

/**
 * EXPORTMI reads of M3 tables for one company. EXPORTMI reads the session company (cono), so
 * every call names it; filters are written without the table prefix (tables.ts adds it).
 * With a column catalog, each Select leaves out the optional columns the tenant lacks, a
 * failed Select re-detects the table's columns once before giving up, and a child table
 * refused to EXPORTMI is read through its MI list transaction (mi-list-fallback.ts).
 */
export class TableReader {
  private readonly mi: MiClient;
  private readonly company: string;
  private readonly catalog: ColumnCatalog | undefined;
  private readonly division: string;
  private readonly filtered: Partial<Record<TableName, FilterFallback>>;
  private readonly exportDivision: string | undefined;

  constructor(mi: MiClient, company: string, o: TableReaderOptions = {}) {
    this.mi = mi;
    this.company = company;
    this.catalog = o.catalog;
    this.division = o.division ?? "";
    this.filtered = filterFallbacks(o.fallback);
    this.exportDivision = o.exportDivision === "default" ? undefined : "";
  }

  /**
   * `also`: see SelectOptions.also (columns without the prefix); never asked when the table is
   * read through its MI stand-in, so a caller learns from `taken` whether its rows came.
   */
  async *select(
    name: TableName,
    where: Predicate[],
    pageSize: number,
    columns?: string[],
    also?: SelectOptions["also"],
  ): AsyncGenerator<MiRecord[]> {
    const spec = TABLES[name];
    const stand = this.filtered[name];
    if (stand && this.catalog && (await this.catalog.access(spec)).kind === "refused") {
      yield* this.fallbackPages(stand, name, where, pageSize);
      return;
    }
    let yielded = false;
    for (let attempt = 0; ; attempt++) {
      const omit = this.catalog
        ? await this.catalog.omitted(spec, "every read of it fails until that is fixed")
        : undefined;
      try {
        for await (const page of exportSelect(this.mi, query(name, where, columns, omit), {
          pageSize,
          company: this.company,
          ...(this.exportDivision !== undefined ? { division: this.exportDivision } : {}),
          ...(also ? { also: prefixed(spec, also) } : {}),
        })) {
          yielded = true;
          yield page;
        }
        return;
      } catch (err) {
        if (!this.catalog || !isRefusal(err)) throw err;
        // Columns or authority changed since detection: detect again, and retry once when
        // nothing was handed out yet (a retry after a yielded page would repeat rows).
        await this.catalog.invalidate(spec.table);
        if (yielded || attempt > 0) throw err;
      }
    }
  }

  /**
   * Whether EXPORTMI may read the table. A child table refused to EXPORTMI that has an MI
   * stand-in answers false: callers skip it as a change hint and read it per parent instead.
   */
  async listable(name: TableName): Promise<boolean> {
    if (!this.catalog || !LIST_FALLBACKS[name]) return true;
    return (await this.catalog.access(TABLES[name])).kind !== "refused";
  }

  async all(name: TableName, where: Predicate[], pageSize = 1000): Promise<MiRecord[]> {
    const out: MiRecord[] = [];
    for await (const page of this.select(name, where, pageSize)) out.push(...page);
    return out;
  }

  /**
   * Child rows for keys in [from, to] of `keyCol`, grouped by that key. `keys` (the exact
   * parents wanted) lets a per-parent MI fallback read only those. `pageSize`: EXPORTMI maxrecs.
   */
  async range(
    name: TableName,
    keyCol: string,
    from: string,
    to: string,
    numeric: boolean,
    extra: Predicate[] = [],
    keys?: string[],
    pageSize = 1000,
  ): Promise<Map<string, MiRecord[]>> {
    const rows = (await this.listable(name))
      ? await this.rangeRows(name, keyCol, from, to, numeric, extra, pageSize)
      : await this.fallbackRows(name, from, to, keys);
    return groupByKey(rows, keyCol);
  }

  private async rangeRows(
    name: TableName,
    keyCol: string,
    from: string,
    to: string,
    numeric: boolean,
    extra: Predicate[],
    pageSize: number,
  ): Promise<MiRecord[]> {
    const lo = numeric ? Number(from) : from;
    const hi = numeric ? Number(to) : to;
    const where = [
      ...extra,
      ...(from === to
        ? [{ col: keyCol, op: "=" as const, value: lo }]
        : [
            { col: keyCol, op: ">=" as const, value: lo },
            { col: keyCol, op: "<=" as const, value: hi },
          ]),
    ];
    const unique = rangeKeyIsUnique(TABLES[name], keyCol, extra);
    const out: MiRecord[] = [];
    for await (const page of this.select(name, where, pageSize)) {
      out.push(...page);
      // A full page ends the answer or not: key continuation asks again, and where the range's
      // last key was already read that request can only come back empty.
      const last = page[page.length - 1]?.[keyCol];
      if (unique && last !== undefined && sameKey(last, to, numeric)) break;
    }
    return out;
  }

  /** A refused table read through its filter stand-in, in EXPORTMI's key order and page size. */
  private async *fallbackPages(
    stand: FilterFallback,
    name: TableName,
    where: Predicate[],
    pageSize: number,
  ): AsyncGenerator<MiRecord[]> {
    const rows = await stand.read(this.mi, where, {
      company: this.company,
      division: this.division,
    });
    const ordered = sortByKeys(filterRows(rows, where), TABLES[name].keys);
    for (let i = 0; i < ordered.length; i += pageSize) yield ordered.slice(i, i + pageSize);
  }

  private async fallbackRows(
    name: TableName,
    from: string,
    to: string,
    keys: string[] | undefined,
  ): Promise<MiRecord[]> {
    const fallback = LIST_FALLBACKS[name];
    if (!fallback) throw new Error(`no MI list fallback for ${name}`);
    return fallback.read(this.mi, {
      from,
      to,
      keys,
      division: this.division,
      company: this.company,
    });
  }
}

/**
 * Whether one row at most has each value of `keyCol` in a read filtered by `extra`: the column
 * ends the table's key and every other key column is pinned by an equality. Pure.
 */
export function rangeKeyIsUnique(spec: TableSpec, keyCol: string, extra: Predicate[]): boolean {
  const cols = spec.keys.map((k) => k.col.slice(spec.prefix.length));
  if (cols[cols.length - 1] !== keyCol) return false;
  return cols.slice(0, -1).every((c) => extra.some((p) => p.col === c && p.op === "="));
}

function sameKey(a: string, b: string, numeric: boolean): boolean {
  return numeric ? Number(a) === Number(b) : a.trim() === b.trim();
}

function prefixed(spec: TableSpec, also: NonNullable<SelectOptions["also"]>): typeof also {
  return () => {
    const a = also();
    return a && { ...a, where: a.where.map((p) => ({ ...p, col: spec.prefix + p.col })) };
  };
}

/** Rows by their key column's value, in the order they came. */
export function groupByKey(rows: MiRecord[], keyCol: string): Map<string, MiRecord[]> {
  return groupBy(rows, (r) => r[keyCol] ?? "");
}
