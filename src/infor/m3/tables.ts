import type { ExportQuery, KeyColumn, Predicate } from "./exportmi.ts";

/**
 * The M3 tables read through EXPORTMI and the columns we need from each. Prefixes per
 * infor-ion-api.md (CIDMAS ID, MPHEAD IA, MPLINE IB, FPLEDG EP, FGLEDG EG, FAPIBH E5) and public
 * code (MPLIND IC); CIDVEN II, FAPIBL E6 and FCHACC EA follow the same naming but are unverified.
 * Check a tenant with EXPORTMI/LstFields before relying on a column.
 *
 * Keys follow each table's primary index (M3 index 00), minus the constant CONO: the finance
 * tables are ordered CONO, DIVI, … so DIVI leads their keys, or paging across divisions (no
 * division filter) would skip the next division's rows.
 */
export interface TableSpec {
  table: string;
  prefix: string;
  /** Every column a poll reads, with the prefix, in spec order. */
  columns: string[];
  /**
   * Columns (with the prefix) a poll can do without: a tenant that lacks one, or a service
   * account that may not read it, gets the entity without it (one warning naming it) instead of
   * a failed poll. Every other column is required: missing, the entity fails naming it.
   */
  optional: ReadonlySet<string>;
  keys: KeyColumn[];
}

/**
 * `cols` lists the columns without the prefix, space-separated; a trailing `?` marks a column
 * optional (`"SUNO SUNM CHID?"`). Key columns are always required: paging needs them.
 */
export function spec(
  table: string,
  prefix: string,
  cols: string,
  keys: [string, boolean][],
): TableSpec {
  const columns: string[] = [];
  const optional = new Set<string>();
  for (const word of cols.split(/\s+/).filter(Boolean)) {
    const isOptional = word.endsWith("?");
    const name = prefix + (isOptional ? word.slice(0, -1) : word);
    if (columns.includes(name)) throw new Error(`${table}: column ${name} listed twice`);
    columns.push(name);
    if (isOptional) optional.add(name);
  }
  for (const [key] of keys) {
    const name = prefix + key;
    if (!columns.includes(name)) throw new Error(`${table}: key ${name} is not a listed column`);
    if (optional.has(name)) throw new Error(`${table}: key ${name} cannot be optional`);
  }
  return {
    table,
    prefix,
    columns,
    optional,
    keys: keys.map(([c, numeric]) => ({ col: prefix + c, numeric })),
  };
}

/** The columns of `spec` a poll cannot do without, with the prefix. */
export function requiredColumns(t: TableSpec): string[] {
  return t.columns.filter((c) => !t.optional.has(c));
}

export const TABLES = {
  CIDMAS: spec("CIDMAS", "ID", "CONO SUNO SUNM SUTY? STAT CSCD? VRNO? RGDT? LMDT CHID?", [
    ["SUNO", false],
  ]),
  CIDVEN: spec("CIDVEN", "II", "CONO SUNO CUCD TEPY PYME LMDT", [["SUNO", false]]),
  MPHEAD: spec(
    "MPHEAD",
    "IA",
    "CONO DIVI PUNO SUNO PUSL PUST PUDT DWDT CUCD BUYE COAM RGDT LMDT CHID?",
    [["PUNO", false]],
  ),
  MPLINE: spec(
    "MPLINE",
    "IB",
    // PPUN: price unit, which can differ from the order unit PUUN (without it: PUUN).
    "PUNO PNLI PNLS ITNO PITD? ORQA RVQA IVQA PUPR PUCD PUUN PPUN? LNAM PUST PUSL LMDT",
    [
      ["PUNO", false],
      ["PNLI", true],
      ["PNLS", true],
    ],
  ),
  // A PO line can have several receipts with the same line key: REPN (receiving number) ends the
  // key, or a page that ends inside a line would skip that line's remaining receipts.
  MPLIND: spec("MPLIND", "IC", "PUNO PNLI PNLS PNLX REPN TRDT RPQA LMDT", [
    ["PUNO", false],
    ["PNLI", true],
    ["PNLS", true],
    ["PNLX", true],
    ["REPN", true],
  ]),
  FAPIBH: spec(
    "FAPIBH",
    "E5",
    // REJD/SCRE: rejection date and reason; without them no batch reads as rejected.
    "CONO DIVI INBN IBTP SUPA SUNO SINO IVDT DUDT ACDT CUCD CUAM VTAM PUNO APCD YEA4? VSER? VONO? REJD? SCRE? RGDT LMDT CHID?",
    [
      ["DIVI", false],
      ["INBN", true],
    ],
  ),
  // PUCD/PPUN/PUUN: price quantity, price unit and order unit of the line; without them the
  // price is compared per the PO line's own price quantity and unit (M3 copies them from it).
  FAPIBL: spec(
    "FAPIBL",
    "E6",
    "DIVI INBN TRNO RDTP PUNO PNLI PNLS ITNO? IVQA PUUN? GRPR PPUN? PUCD? NLAM AIT1 AIT2 AIT3? AIT4? AIT5? AIT6? AIT7? LMDT",
    [
      ["DIVI", false],
      ["INBN", true],
      ["TRNO", true],
    ],
  ),
  FPLEDG: spec(
    "FPLEDG",
    "EP",
    "CONO DIVI YEA4 JRNO JSNO TRCD SUNO SINO IVDT DUDT ACDT CUCD CUAM VTAM VSER VONO PYME APCD RGDT LMDT",
    [
      ["DIVI", false],
      ["YEA4", true],
      ["JRNO", true],
      ["JSNO", true],
    ],
  ),
  FGLEDG: spec(
    "FGLEDG",
    "EG",
    "CONO DIVI YEA4 JRNO JSNO VSER VONO ACDT TRCD AIT1 AIT2 AIT3? AIT4? AIT5? AIT6? AIT7? CYP6? ACYP? ACAM CUAM CUCD VTXT? RGDT LMDT",
    [
      ["DIVI", false],
      ["YEA4", true],
      ["JRNO", true],
      ["JSNO", true],
    ],
  ),
  // LCCD: blocked flag; without it every identity reads as active.
  FCHACC: spec("FCHACC", "EA", "CONO DIVI AITP AITM TX40 TX15? LCCD? RGDT LMDT", [
    ["DIVI", false],
    ["AITP", true],
    ["AITM", false],
  ]),
} as const;

export type TableName = keyof typeof TABLES;

/**
 * An EXPORTMI query on a table with filters written without the prefix ({col: "LMDT", …}).
 * `omit` names columns (with the prefix) the tenant does not offer: they are left out.
 */
export function query(
  name: TableName,
  where: Predicate[],
  columns?: string[],
  omit?: ReadonlySet<string>,
): ExportQuery {
  const t = TABLES[name];
  // Key columns are always read: key continuation needs the last row's full key.
  const wanted = columns
    ? [...new Set([...t.keys.map((k) => k.col), ...columns.map((c) => t.prefix + c)])]
    : t.columns;
  return {
    table: t.table,
    columns: omit ? wanted.filter((c) => !omit.has(c)) : wanted,
    where: where.map((p) => ({ ...p, col: t.prefix + p.col })),
    keys: t.keys,
  };
}
