import type { TenantData } from "../data/model.ts";
import { type M3Access, OPEN_ACCESS, tableFor } from "./access.ts";
import { MiError } from "./errors.ts";
import { compareValues, type Operand, type Predicate, parseQuery, test } from "./query.ts";
import { type Column, findTable, type Row, sortedRows, type Table } from "./tables.ts";

/** EXPORTMI documents a REPL of at most 3985 characters; longer rows are cut. */
export const REPL_MAX = 3985;

type Compiled = (row: Row) => boolean;

function column(table: Table, name: string): Column {
  const found = table.columns.find((c) => c.name === name);
  // Wording as in the M3 message quoted by issue reports ("Field IDCHID does not exist in CIDMAS").
  if (!found) throw new MiError(`Field ${name} does not exist in ${table.name}`, "XFL0001", "QERY");
  return found;
}

function compilePredicate(table: Table, predicate: Predicate): Compiled {
  const left = column(table, predicate.column);
  const value: Operand = predicate.value;
  if (value.kind === "column") {
    const right = column(table, value.name);
    const numeric = left.type === "N" && right.type === "N";
    return (row) => test(predicate.op, compareValues(left.get(row), right.get(row), numeric));
  }
  const numeric = left.type === "N" && value.numeric;
  const literal = value.text;
  return (row) => test(predicate.op, compareValues(left.get(row), literal, numeric));
}

function format(values: string[], cols: Column[], sepc: string): string {
  if (sepc === "") return values.map((v, i) => v.padEnd(cols[i]?.length ?? 0)).join("");
  const named = sepc === "*" || sepc === "#";
  return values.map((v, i) => (named ? `${cols[i]?.name ?? ""} ${v.trim()}` : v.trim())).join(sepc);
}

/**
 * Where the scan can start: rows are in key order, so with `=` on the leading key columns and
 * `>`/`>=` on the next one (how clients page by key), every row before the lower bound fails.
 */
function startIndex(
  table: Table,
  rows: Row[],
  group: Predicate[] | undefined,
  cono: number,
): number {
  const bound: Array<{ column: Column; value: string; numeric: boolean }> = [];
  for (const key of table.key) {
    const col = column(table, table.prefix + key);
    if (key === "CONO") {
      bound.push({ column: col, value: String(cono), numeric: true });
      continue;
    }
    const p = group?.find(
      (q) => q.column === col.name && q.value.kind === "literal" && ["=", ">", ">="].includes(q.op),
    );
    if (p?.value.kind !== "literal") break;
    bound.push({ column: col, value: p.value.text, numeric: col.type === "N" && p.value.numeric });
    if (p.op !== "=") break;
  }
  const below = (row: Row): boolean => {
    for (const b of bound) {
      const cmp = compareValues(b.column.get(row), b.value, b.numeric);
      if (cmp !== 0) return cmp < 0;
    }
    return false;
  };
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (below(rows[mid] as Row)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface SelectInput {
  QERY?: string;
  SEPC?: string;
  HDRS?: string;
}

/** Runs EXPORTMI/Select: one `{REPL}` record per row, in primary-key order, company of the session only. */
export function exportSelect(
  data: TenantData,
  input: SelectInput,
  cono: number,
  maxrecs: number,
  access: M3Access = OPEN_ACCESS,
  divi = "",
): Array<Record<string, string>> {
  const text = input.QERY ?? "";
  if (text.trim() === "")
    throw new MiError("QERY must be entered", "XMA0001", "QERY", "MandatoryInputFieldNotFound");
  const query = parseQuery(text);
  const found = findTable(query.table);
  if (!found) throw new MiError(`Table ${query.table} does not exist`, "XTB0001", "QERY");
  const table = tableFor(access, found);
  const diviColumn = `${table.prefix}DIVI`;
  if (
    access.divisionFilterNeedsBlankSession &&
    divi !== "" &&
    query.where.some((group) => group.some((p) => p.column === diviColumn))
  ) {
    // The simulator's wording: M3's text for this case is not public.
    throw new MiError(
      `Division filter on ${diviColumn} needs a session on the blank division (session division ${divi})`,
      "XDV0001",
      "QERY",
    );
  }
  const groups = query.where.map((group) => group.map((p) => compilePredicate(table, p)));
  // EXPORTMI always runs in the session's company (Infor EXPORTMI notes): company filters only narrow it.
  const conoColumn = column(table, `${table.prefix}CONO`);
  const companyText = String(cono);
  const matches = (row: Row): boolean =>
    conoColumn.get(row) === companyText &&
    (groups.length === 0 || groups.some((group) => group.every((check) => check(row))));
  const rows = sortedRows(data, table);
  if (query.count) {
    let n = 0;
    for (const row of rows) if (matches(row)) n++;
    return [{ REPL: String(n) }];
  }
  const cols = query.columns.flatMap((name) =>
    name === "*" ? table.columns : [column(table, name)],
  );
  const sepc = input.SEPC ?? "";
  const out: Array<Record<string, string>> = [];
  if (input.HDRS === "1")
    out.push({
      REPL: format(
        cols.map((c) => c.name),
        cols,
        sepc,
      ).slice(0, REPL_MAX),
    });
  let taken = 0;
  const from =
    query.where.length === 1
      ? startIndex(table, rows, query.where[0], cono)
      : startIndex(table, rows, undefined, cono);
  for (let index = from; index < rows.length; index++) {
    const row = rows[index] as Row;
    if (maxrecs > 0 && taken >= maxrecs) break;
    if (!matches(row)) continue;
    out.push({
      REPL: format(
        cols.map((c) => c.get(row)),
        cols,
        sepc,
      ).slice(0, REPL_MAX),
    });
    taken++;
  }
  return out;
}

/** EXPORTMI/LstFields: the sim's columns of one table. */
export function exportLstFields(
  file: string,
  access: M3Access = OPEN_ACCESS,
): Array<Record<string, string>> {
  const table = findTable(file.trim());
  if (!table) throw new MiError(`Table ${file} does not exist`, "XTB0001", "FILE");
  // Column metadata, not table data: a table refused to Select still lists its columns.
  return table.columns
    .filter((c) => !access.missingColumns.includes(c.name))
    .map((c) => ({
      FLDN: c.name,
      FLDS: c.name.slice(2),
      FLTY: c.type,
      FLLE: String(c.length),
      FLDP: c.type === "N" && c.length === 17 ? "2" : "0",
    }));
}
