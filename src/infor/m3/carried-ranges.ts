import type { MiRecord } from "./mi-client.ts";
import { groupByKey, type TableReader } from "./table-reader.ts";
import type { TableName } from "./tables.ts";

/** Rows read past a range's end: every row with a key strictly between `after` and `until`. */
interface Carry {
  after: string;
  until: string;
  rows: MiRecord[];
  at: number;
}

/** Carried rows older than this are dropped: they stand for the table as it was then. */
const MAX_AGE_MS = 30_000;

/**
 * Child rows (PO lines, receipts) for key ranges asked one after the other in rising order, as
 * an import's pages ask for their POs. A range read by key continuation ends on a part page
 * (the 405 lines after three full pages), and the next range starts with a request of its own:
 * one request per range more than the rows need. Here a range whose first page comes back full
 * is read on past its end until a row beyond it comes back, and the rows beyond are kept for the
 * next range, which starts where they stop (a range that fits one page is read as it is, so a
 * lookup of a few POs reads no more rows than before). A range asked while the one before it is
 * still being read waits for it, to start from its rows. Only ranges between keys of digits are
 * carried (M3 orders CHAR keys of digits as strings, blank-padded: as JavaScript compares them);
 * anything else, and a table read through an MI stand-in, is a plain range read.
 */
export class CarriedRanges {
  private readonly reader: TableReader;
  private readonly now: () => number;
  private readonly carried = new Map<TableName, Carry>();
  private readonly reading = new Map<TableName, { to: string; done: Promise<unknown> }>();
  private readonly pageSize: number;

  /** `pageSize`: EXPORTMI maxrecs, as the plain range reads' (1,000). */
  constructor(reader: TableReader, now: () => number = Date.now, pageSize = 1000) {
    this.reader = reader;
    this.now = now;
    this.pageSize = pageSize;
  }

  /** As `TableReader.range` over [from, to] of the table's first key column (string keys). */
  async range(
    name: TableName,
    keyCol: string,
    from: string,
    to: string,
    keys: string[],
  ): Promise<Map<string, MiRecord[]>> {
    const digits = /^\d+$/;
    if (!digits.test(from) || !digits.test(to) || !(await this.reader.listable(name))) {
      return this.reader.range(name, keyCol, from, to, false, [], keys, this.pageSize);
    }
    // Ranges asked together queue up in order: each waits for the one before it.
    const before = this.reading.get(name);
    const done = (async () => {
      if (before && before.to < from) await before.done.catch(() => undefined);
      return this.read(name, keyCol, from, to);
    })();
    this.reading.set(name, { to, done });
    try {
      return groupByKey(await done, keyCol);
    } finally {
      if (this.reading.get(name)?.done === done) this.reading.delete(name);
    }
  }

  private async read(
    name: TableName,
    keyCol: string,
    from: string,
    to: string,
  ): Promise<MiRecord[]> {
    const c = this.carried.get(name);
    this.carried.delete(name);
    const rows: MiRecord[] = [];
    let start: string;
    if (c && this.now() - c.at <= MAX_AGE_MS && c.after < from && from < c.until) {
      for (const r of c.rows) {
        const k = r[keyCol] ?? "";
        if (k >= from && k <= to) rows.push(r);
      }
      if (to < c.until) {
        const rest = c.rows.filter((r) => (r[keyCol] ?? "") > to);
        this.carried.set(name, { ...c, after: to, rows: rest });
        return rows;
      }
      start = c.until;
    } else {
      const first = await this.firstPage(name, keyCol, from, to);
      // Not full (HDRS: maxrecs may count the header row): that was the whole range.
      if (first.length < this.pageSize - 1) return first;
      // Read on from the last key, whose rows may go on past the page.
      start = first[first.length - 1]?.[keyCol] ?? from;
      for (const r of first) if (r[keyCol] !== start) rows.push(r);
    }
    const at = this.now();
    for await (const page of this.reader.select(
      name,
      [{ col: keyCol, op: ">=", value: start }],
      this.pageSize,
    )) {
      const last = page[page.length - 1]?.[keyCol] ?? "";
      if (last <= to) {
        rows.push(...page);
        continue;
      }
      // The last key's rows may go on in the next page: carry only the keys before it.
      const past: MiRecord[] = [];
      for (const r of page) {
        const k = r[keyCol] ?? "";
        if (k <= to) rows.push(r);
        else if (k !== last) past.push(r);
      }
      this.carried.set(name, { after: to, until: last, rows: past, at });
      break;
    }
    return rows;
  }

  private async firstPage(
    name: TableName,
    keyCol: string,
    from: string,
    to: string,
  ): Promise<MiRecord[]> {
    const where = [
      { col: keyCol, op: ">=" as const, value: from },
      { col: keyCol, op: "<=" as const, value: to },
    ];
    for await (const page of this.reader.select(name, where, this.pageSize)) return page;
    return [];
  }
}
