import type { Predicate } from "./m3/exportmi.ts";
import type { MiRecord } from "./m3/mi-client.ts";
import type { TableReader } from "./m3/table-reader.ts";

/**
 * The lines (FAPIBL) of a listing's pages of batch heads, read as one stream over batch numbers
 * within one division. Read page by page over [first, last] of a page's heads, the lines end on
 * a part page (the 227 after two full ones) and the next page's lines start with a request of
 * their own. Here a page's lines are read on up to the last head already listed (the heads the
 * listing brought past the page), and stop at the first full answer holding a batch past the
 * page: its rows past the page (every batch before its last one, whose lines may go on) serve the
 * next page. Only lines of heads read before them are read, so the torn-read guard holds: each
 * batch's head, then its lines, then the heads' second read (m3-invoice-heads.ts).
 */
export class LineStream {
  private readonly reader: TableReader;
  private readonly divi: Predicate[];
  private readonly pageSize: number;
  /** Lines of batches numbered below `until` and above the last page's, all of them. */
  private carried: MiRecord[] = [];
  private until = Number.NEGATIVE_INFINITY;
  private lastHi = Number.NEGATIVE_INFINITY;

  constructor(reader: TableReader, divi: Predicate[], pageSize = 1000) {
    this.reader = reader;
    this.divi = divi;
    this.pageSize = pageSize;
  }

  /**
   * Lines of `heads` (rising batch numbers, after the previous call's), by batch number, read
   * on up to `listedTo`: the highest batch number whose head was read.
   */
  async linesOf(heads: MiRecord[], listedTo: number): Promise<Map<string, MiRecord[]>> {
    const inbns = heads.map((h) => Number(h.INBN)).filter(Number.isFinite);
    if (inbns.length === 0) return new Map();
    const lo = Math.min(...inbns);
    const hi = Math.max(...inbns);
    if (lo <= this.lastHi) {
      // Not after the previous page (the stream's premise): what was carried may not cover it.
      this.carried = [];
      this.until = Number.NEGATIVE_INFINITY;
    }
    this.lastHi = hi;
    const rows = this.carried.filter((r) => Number(r.INBN) >= lo && Number(r.INBN) <= hi);
    if (this.until > hi) {
      this.carried = this.carried.filter((r) => Number(r.INBN) > hi);
      return group(rows);
    }
    const start = Math.max(lo, this.until);
    const to = Math.max(hi, listedTo);
    this.carried = [];
    this.until = to + 1;
    for await (const page of this.reader.select(
      "FAPIBL",
      [...this.divi, ...range(start, to)],
      this.pageSize,
    )) {
      const last = Number(page[page.length - 1]?.INBN);
      if (!(last > hi)) {
        rows.push(...page);
        continue;
      }
      // Past the page: the last batch's lines may go on in the next answer, so keep the
      // batches before it and start there next time.
      for (const r of page) {
        const n = Number(r.INBN);
        if (n <= hi) rows.push(r);
        else if (n < last) this.carried.push(r);
      }
      this.until = last;
      break;
    }
    // The answer ended before a full page past the page: everything up to `to` was read.
    if (this.until === to + 1) {
      this.carried = rows.filter((r) => Number(r.INBN) > hi);
      return group(rows.filter((r) => Number(r.INBN) <= hi));
    }
    return group(rows);
  }
}

function range(from: number, to: number): Predicate[] {
  return from === to
    ? [{ col: "INBN", op: "=", value: from }]
    : [
        { col: "INBN", op: ">=", value: from },
        { col: "INBN", op: "<=", value: to },
      ];
}

function group(rows: MiRecord[]): Map<string, MiRecord[]> {
  const byKey = new Map<string, MiRecord[]>();
  for (const r of rows) {
    const k = r.INBN ?? "";
    const list = byKey.get(k) ?? [];
    list.push(r);
    byKey.set(k, list);
  }
  return byKey;
}
