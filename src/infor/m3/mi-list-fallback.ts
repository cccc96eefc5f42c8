import type { KeyColumn, Predicate } from "./exportmi.ts";
import type { MiClient, MiRecord } from "./mi-client.ts";
import type { TableName } from "./tables.ts";

/**
 * MI list transactions that stand in for an M3 table when EXPORTMI/Select on it is refused to
 * the service account. Only child tables have one: their rows are read for known parents (a
 * page of suppliers, POs or invoice batches), which is what these transactions take as input.
 * Field codes per the M3 API v2 swagger (m3-fields.md): the rows come back with the same codes
 * as the table's columns without prefix, so the mappers read them unchanged. What a transaction
 * does not return (a change date, accounting dimensions) is simply absent from the row.
 *
 * Of the head tables that drive a poll, FGLEDG and FCHACC have a filter-based stand-in below;
 * CIDMAS, MPHEAD, FAPIBH and FPLEDG have none: no MI list transaction selects them by change
 * date (CRS620MI/LstSuppliers returns no status or change date, PPS200MI lists one PO's lines,
 * APS450MI/LstInvBatchNo needs a payee).
 */

export interface ParentKeys {
  /** Lowest and highest parent key of the page (inclusive). */
  from: string;
  to: string;
  /** The exact parent keys wanted, when the caller knows them. */
  keys?: string[] | undefined;
  division: string;
  /** Company (cono) of the session. */
  company: string;
}

export interface ListFallback {
  /** The transaction used, for logs and docs. */
  via: string;
  read(mi: MiClient, parents: ParentKeys): Promise<MiRecord[]>;
}

/** Per-parent calls run a few at a time: the shared request budget sets the real pace. */
const PARALLEL = 4;

async function perKey(
  keys: string[] | undefined,
  table: string,
  call: (key: string) => Promise<MiRecord[]>,
): Promise<MiRecord[]> {
  if (!keys) {
    throw new RangeError(`${table} fallback reads per parent key; the caller gave a range only`);
  }
  const out: MiRecord[][] = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      out[i] = await call(keys[i] ?? "");
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, keys.length) }, worker));
  return out.flat();
}

export const LIST_FALLBACKS: Partial<Record<TableName, ListFallback>> = {
  // Supplier financial terms: CRS620MI/LstSuppliers returns CUCD, TEPY, PYME for a SUNO range.
  CIDVEN: {
    via: "CRS620MI/LstSuppliers",
    async read(mi, p) {
      const { records } = await mi.execute(
        "CRS620MI",
        "LstSuppliers",
        { FRSU: p.from, TOSU: p.to },
        { maxrecs: 0, company: p.company, returncols: ["SUNO", "CUCD", "TEPY", "PYME"] },
      );
      return records;
    },
  },
  MPLINE: {
    via: "PPS200MI/LstLine",
    read: (mi, p) =>
      perKey(p.keys, "MPLINE", async (puno) => {
        const { records } = await mi.execute(
          "PPS200MI",
          "LstLine",
          { PUNO: puno },
          { maxrecs: 0, company: p.company },
        );
        return records;
      }),
  },
  MPLIND: {
    via: "PPS200MI/LstReceiptsByPO",
    read: (mi, p) =>
      perKey(p.keys, "MPLIND", async (puno) => {
        const { records } = await mi.execute(
          "PPS200MI",
          "LstReceiptsByPO",
          { PUNO: puno },
          { maxrecs: 0, company: p.company },
        );
        return records;
      }),
  },
  // Invoice batch lines; LstLines returns no accounting dimensions (AIT1-AIT7).
  FAPIBL: {
    via: "APS450MI/LstLines",
    read: (mi, p) =>
      perKey(p.keys, "FAPIBL", async (inbn) => {
        const { records } = await mi.execute(
          "APS450MI",
          "LstLines",
          { INBN: inbn, ...(p.division ? { DIVI: p.division } : {}) },
          { maxrecs: 0, company: p.company },
        );
        // The batch number is the input, not an output field: put it back for grouping.
        return records.map((r) => ({
          ...r,
          INBN: inbn,
          ...(p.division ? { DIVI: p.division } : {}),
        }));
      }),
  },
};

/**
 * Stand-ins for tables a poll lists by filter (change date, accounting date, division): the
 * transaction returns a superset of the rows `where` selects, the reader filters and orders them.
 * Each throws when `where` gives it no bound it can use.
 */
export interface FilterFallback {
  via: string;
  read(
    mi: MiClient,
    where: Predicate[],
    ctx: { company: string; division: string },
  ): Promise<MiRecord[]>;
}

export interface FilterFallbackOptions {
  /**
   * GL by change date through GLS200MI/LstVouchersByDt, which selects on accounting date: how
   * many days before the change date an accounting date may lie (postings into a still-open
   * earlier period). Default 62.
   */
  glLookbackDays?: number;
  /** ...and how many days after today or the change date (accruals dated ahead). Default 62. */
  glLookaheadDays?: number;
  /** Today as YYYYMMDD (default: the system clock, UTC). */
  today?: () => number;
}

/** Accounting-date windows per LstVouchersByDt call: bounded answers without a paging key. */
const GL_SLICE_DAYS = 31;

function bound(where: Predicate[], col: string, ops: string[]): number | undefined {
  const p = where.find((w) => w.col === col && ops.includes(w.op));
  const n = p === undefined ? Number.NaN : Number(p.value);
  return Number.isFinite(n) ? n : undefined;
}

function divisionOf(where: Predicate[], fallback: string): string {
  const p = where.find((w) => w.col === "DIVI" && w.op === "=");
  return p ? String(p.value) : fallback;
}

const ymdToDate = (ymd: number) =>
  new Date(Date.UTC(Math.floor(ymd / 10000), (Math.floor(ymd / 100) % 100) - 1, ymd % 100));
const dateToYmd = (d: Date) =>
  d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
const addDays = (ymd: number, days: number) =>
  dateToYmd(new Date(ymdToDate(ymd).getTime() + days * 86_400_000));

export function filterFallbacks(
  o: FilterFallbackOptions = {},
): Partial<Record<TableName, FilterFallback>> {
  const lookback = o.glLookbackDays ?? 62;
  const lookahead = o.glLookaheadDays ?? 62;
  const today = o.today ?? (() => dateToYmd(new Date()));
  return {
    // LstVouchersByDt returns LMDT too, so a change-date poll reads an accounting-date window
    // around it and keeps the rows changed since. Rows changed now with an accounting date more
    // than `glLookbackDays` before the change are not seen (docs/m3-access.md).
    FGLEDG: {
      via: "GLS200MI/LstVouchersByDt",
      async read(mi, where, ctx) {
        const changed = bound(where, "LMDT", [">=", ">"]);
        const lo =
          bound(where, "ACDT", [">=", ">"]) ?? (changed ? addDays(changed, -lookback) : undefined);
        // Up to `lookahead` days past the later of today and the change date (a backfill from
        // years ago still reaches today's postings).
        const hi =
          bound(where, "ACDT", ["<=", "<"]) ??
          (changed ? addDays(Math.max(changed, today()), lookahead) : undefined);
        if (lo === undefined || hi === undefined) {
          throw new RangeError("FGLEDG fallback needs a change-date or accounting-date bound");
        }
        const divi = divisionOf(where, ctx.division);
        const out: MiRecord[] = [];
        for (let from = lo; from <= hi; from = addDays(from, GL_SLICE_DAYS)) {
          const to = Math.min(hi, addDays(from, GL_SLICE_DAYS - 1));
          const { records } = await mi.execute(
            "GLS200MI",
            "LstVouchersByDt",
            { FRDT: String(from), TODT: String(to), ...(divi ? { DIVI: divi } : {}) },
            { maxrecs: 0, company: ctx.company },
          );
          out.push(...records);
        }
        return out;
      },
    },
    // The chart of accounts is small: every identity of the seven dimensions, filtered here.
    FCHACC: {
      via: "CRS630MI/LstAccountID",
      async read(mi, where, ctx) {
        const divi = divisionOf(where, ctx.division);
        const out: MiRecord[] = [];
        for (let aitp = 1; aitp <= 7; aitp++) {
          const { records } = await mi.execute(
            "CRS630MI",
            "LstAccountID",
            { AITP: aitp, ...(divi ? { DIVI: divi } : {}) },
            { maxrecs: 0, company: ctx.company },
          );
          out.push(...records);
        }
        return out;
      },
    },
  };
}

function compare(row: MiRecord, p: Predicate): boolean {
  const raw = (row[p.col] ?? "").trim();
  const numeric = typeof p.value === "number";
  const c = numeric
    ? Number(raw) - (p.value as number)
    : raw < String(p.value).trim()
      ? -1
      : raw > String(p.value).trim()
        ? 1
        : 0;
  switch (p.op) {
    case "=":
      return c === 0;
    case "<>":
      return c !== 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
  }
}

/** Rows matching every predicate (unprefixed columns), as EXPORTMI's where would select. Pure. */
export function filterRows(rows: MiRecord[], where: Predicate[]): MiRecord[] {
  return rows.filter((r) => where.every((p) => compare(r, p)));
}

/** Rows in key order (numeric keys compare as numbers), as EXPORTMI returns them. Pure. */
export function sortByKeys(rows: MiRecord[], keys: KeyColumn[]): MiRecord[] {
  const unprefixed = keys.map((k) => ({ col: k.col.slice(2), numeric: k.numeric === true }));
  return [...rows].sort((a, b) => {
    for (const k of unprefixed) {
      const x = (a[k.col] ?? "").trim();
      const y = (b[k.col] ?? "").trim();
      const c = k.numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
      if (c !== 0) return c;
    }
    return 0;
  });
}
