/**
 * The lower bound of an M3 invoice import, in ION requests: every table the import needs rows
 * of is read by EXPORTMI/Select (one table per call, M3's documented limit), and one call
 * returns at most `rowsPerPage` rows (the `maxrecs` the reader asks for). So no reader can do
 * with fewer than Σ over tables of ⌈rows needed ÷ rows per page⌉ requests, where "needed"
 * counts only the rows the import's records and their matching use: the invoice heads and
 * lines imported, the POs those invoices name (heads, lines, receipts) and the AP-ledger
 * payments of the posted ones. Rows read beyond those (a key range that spans POs nobody
 * named, a second pass) are the reader's cost, not the bound's. Pure.
 */
export const BOUND_TABLES = ["FAPIBH", "FAPIBL", "MPHEAD", "MPLINE", "MPLIND", "FPLEDG"] as const;
export type BoundTable = (typeof BOUND_TABLES)[number];

export type RowsNeeded = Record<BoundTable, number>;

export interface TableBound {
  table: BoundTable;
  rows: number;
  pages: number;
}

export function importBound(
  rows: RowsNeeded,
  rowsPerPage: number,
): { total: number; tables: TableBound[] } {
  if (!Number.isInteger(rowsPerPage) || rowsPerPage < 1) {
    throw new RangeError(`rows per page must be a positive integer, got ${rowsPerPage}`);
  }
  const tables = BOUND_TABLES.map((table) => {
    const n = rows[table];
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`rows of ${table}: ${n}`);
    return { table, rows: n, pages: Math.ceil(n / rowsPerPage) };
  });
  return { total: tables.reduce((s, t) => s + t.pages, 0), tables };
}

/** One line for the bench output: how the bound was computed, table by table. */
export function describeBound(b: { total: number; tables: TableBound[] }, perPage: number): string {
  const parts = b.tables.map((t) => `${t.table} ⌈${t.rows}/${perPage}⌉=${t.pages}`);
  return `lower bound = Σ ⌈rows needed ÷ ${perPage} rows per page⌉ over tables: ${parts.join(" + ")} = ${b.total}`;
}

/** The table an MI call read: EXPORTMI's QERY names it; other calls by program/transaction. */
export function tableOfCall(
  program: string,
  transaction: string,
  inputs: Record<string, unknown>,
): string {
  if (program.toUpperCase() === "EXPORTMI" && transaction === "Select") {
    const m = /\sfrom\s+([A-Z0-9]+)/i.exec(String(inputs.QERY ?? ""));
    if (m?.[1]) return m[1].toUpperCase();
  }
  return `${program.toUpperCase()}/${transaction}`;
}
