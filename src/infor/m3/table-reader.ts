import { exportSelect, type Predicate } from "./exportmi.ts";
import type { MiClient, MiRecord } from "./mi-client.ts";
import { query, type TableName } from "./tables.ts";

/**
 * EXPORTMI reads of M3 tables for one company. EXPORTMI reads the session company (cono), so
 * every call names it; filters are written without the table prefix (tables.ts adds it).
 */
export class TableReader {
  private readonly mi: MiClient;
  private readonly company: string;

  constructor(mi: MiClient, company: string) {
    this.mi = mi;
    this.company = company;
  }

  select(name: TableName, where: Predicate[], pageSize: number, columns?: string[]) {
    return exportSelect(this.mi, query(name, where, columns), { pageSize, company: this.company });
  }

  async all(name: TableName, where: Predicate[], pageSize = 1000): Promise<MiRecord[]> {
    const out: MiRecord[] = [];
    for await (const page of this.select(name, where, pageSize)) out.push(...page);
    return out;
  }

  /** Child rows for keys in [from, to] of `keyCol`, grouped by that key. */
  async range(
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
}
