import { compareDecimal } from "../data/compare.ts";
import { allGlLines, allLedgerRows, invoiceLines, poLineAmount, poTotal } from "../data/derive.ts";
import type { PoLineRec, PoRec, TenantData } from "../data/model.ts";

/** One M3 table column as EXPORTMI sees it: prefixed name, type (A/N), length. */
export interface Column {
  /** Full column name with the table prefix, e.g. IDSUNO. */
  name: string;
  type: "A" | "N";
  length: number;
  get(row: Row): string;
}

export type Row = Record<string, unknown>;

export interface Table {
  name: string;
  prefix: string;
  label: string;
  columns: Column[];
  /** Primary-key columns (without prefix) used for the row order. */
  key: string[];
  rows(data: TenantData): Iterable<Row>;
}

function plain(row: Row, field: string): string {
  const value = row[field];
  return value === undefined || value === null ? "" : String(value);
}

/** "CONO N3, SUNO A10" → columns reading the lower-case property of the same name. */
function columns(
  prefix: string,
  spec: string,
  extra: Record<string, (row: Row) => string> = {},
): Column[] {
  return spec.split(",").map((part) => {
    const [field = "", typeLen = "A1"] = part.trim().split(" ");
    const lower = field.toLowerCase();
    const get = extra[field] ?? ((row: Row) => plain(row, lower));
    return {
      name: prefix + field,
      type: typeLen[0] === "N" ? "N" : "A",
      length: Number(typeLen.slice(1)),
      get,
    };
  });
}

const ait = (n: number) => (row: Row) => (row.ait as string[] | undefined)?.[n - 1] ?? "";

export const TABLES: Table[] = [
  {
    name: "CIDMAS",
    prefix: "ID",
    label: "Supplier master",
    columns: columns(
      "ID",
      "CONO N3, SUNO A10, SUNM A36, SUTY A1, STAT A2, ALSU A10, CSCD A3, LNCD A2, PHNO A16, VRNO A16, RGDT N8, LMDT N8, CHID A10",
    ),
    key: ["CONO", "SUNO"],
    rows: (data) => data.suppliers as unknown as Row[],
  },
  {
    name: "CIDVEN",
    prefix: "II",
    label: "Supplier purchase and financial data",
    columns: columns(
      "II",
      "CONO N3, SUNO A10, CUCD A3, TEPY A3, PYME A3, BUYE A10, RGDT N8, LMDT N8",
    ),
    key: ["CONO", "SUNO"],
    rows: (data) => data.suppliers as unknown as Row[],
  },
  {
    name: "MPHEAD",
    prefix: "IA",
    label: "Purchase order head",
    columns: columns(
      "IA",
      "CONO N3, DIVI A3, PUNO A10, SUNO A10, PUSL A2, PUST A2, PUDT N8, DWDT N8, CUCD A3, BUYE A10, FACI A3, WHLO A3, ORTY A3, COAM N17, RGDT N8, LMDT N8, CHID A10",
      { COAM: (row) => poTotal(row as unknown as PoRec) },
    ),
    key: ["CONO", "PUNO"],
    rows: (data) => data.pos as unknown as Row[],
  },
  {
    name: "MPLINE",
    prefix: "IB",
    label: "Purchase order line",
    columns: columns(
      "IB",
      "CONO N3, PUNO A10, PNLI N3, PNLS N3, ITNO A15, PITD A30, ORQA N15, RVQA N15, IVQA N15, PUPR N17, PPUN A3, PUCD N5, PUUN A3, LNAM N17, PUST A2, PUSL A2, DWDT N8, SUNO A10, FACI A3, WHLO A3, RGDT N8, LMDT N8",
      { PITD: (row) => plain(row, "itds") },
    ),
    key: ["CONO", "PUNO", "PNLI", "PNLS"],
    rows: function* (data) {
      for (const po of data.pos) {
        for (const line of po.lines) {
          yield {
            ...line,
            cono: po.cono,
            puno: po.puno,
            suno: po.suno,
            faci: po.faci,
            whlo: po.whlo,
            lnam: poLineAmount(line as PoLineRec),
          };
        }
      }
    },
  },
  {
    name: "MPLIND",
    prefix: "IC",
    label: "Purchase order receipt transactions",
    columns: columns(
      "IC",
      "CONO N3, PUNO A10, PNLI N3, PNLS N3, PNLX N3, REPN N10, WHLO A3, TRDT N8, RPQA N15, SUNO A10, RGDT N8, LMDT N8",
    ),
    key: ["CONO", "PUNO", "PNLI", "PNLS", "PNLX", "REPN"],
    rows: function* (data) {
      for (const po of data.pos) {
        for (const line of po.lines) {
          for (const r of line.receipts) {
            yield {
              ...r,
              cono: po.cono,
              puno: po.puno,
              pnli: line.pnli,
              pnls: line.pnls,
              suno: po.suno,
            };
          }
        }
      }
    },
  },
  {
    name: "FAPIBH",
    prefix: "E5",
    label: "Supplier invoice batch head",
    columns: columns(
      "E5",
      "CONO N3, DIVI A3, INBN N10, IBTP A2, SUPA N2, SUNO A10, SPYN A10, SINO A24, IVDT N8, DUDT N8, ACDT N8, CUCD A3, CUAM N17, VTAM N17, PUNO A10, APCD A10, YEA4 N4, VSER A3, VONO N8, REJD N8, SCRE A2, RGDT N8, LMDT N8, CHID A10",
      {
        REJD: (row) => (row.rejd ? String(row.rejd) : "0"),
        YEA4: (row) => (row.yea4 ? String(row.yea4) : "0"),
        VONO: (row) => (row.vono ? String(row.vono) : "0"),
      },
    ),
    key: ["CONO", "DIVI", "INBN"],
    rows: (data) => data.invoices as unknown as Row[],
  },
  {
    name: "FAPIBL",
    prefix: "E6",
    label: "Supplier invoice batch line",
    columns: columns(
      "E6",
      "CONO N3, DIVI A3, INBN N10, TRNO N7, RDTP N2, PUNO A10, PNLI N3, PNLS N3, ITNO A15, IVQA N15, PUUN A3, GRPR N17, PPUN A3, PUCD N5, NLAM N17, AIT1 A8, AIT2 A8, AIT3 A8, AIT4 A8, AIT5 A8, AIT6 A8, AIT7 A8, RGDT N8, LMDT N8",
    ),
    key: ["CONO", "DIVI", "INBN", "TRNO"],
    rows: function* (data) {
      for (const invoice of data.invoices) {
        for (const line of invoiceLines(invoice)) {
          yield { ...line, cono: invoice.cono, divi: invoice.divi, inbn: invoice.inbn };
        }
      }
    },
  },
  {
    name: "FPLEDG",
    prefix: "EP",
    label: "Supplier ledger",
    columns: columns(
      "EP",
      "CONO N3, DIVI A3, YEA4 N4, JRNO N7, JSNO N7, TRCD N2, SPYN A10, SUNO A10, SINO A24, INYR N4, IVDT N8, DUDT N8, ACDT N8, CUCD A3, CUAM N17, VTAM N17, VSER A3, VONO N8, PYME A3, APCD A10, RGDT N8, LMDT N8",
    ),
    key: ["CONO", "DIVI", "YEA4", "JRNO", "JSNO"],
    rows: (data) => allLedgerRows(data) as unknown as Iterable<Row>,
  },
  {
    name: "FGLEDG",
    prefix: "EG",
    label: "General ledger",
    columns: columns(
      "EG",
      "CONO N3, DIVI A3, YEA4 N4, JRNO N7, JSNO N7, VSER A3, VONO N8, ACDT N8, TRCD N2, FEID A4, FNCN N3, AIT1 A8, AIT2 A8, AIT3 A8, AIT4 A8, AIT5 A8, AIT6 A8, AIT7 A8, CYP6 N6, ACYP N6, ACAM N17, CUAM N17, CUCD A3, VTXT A40, RGDT N8, LMDT N8",
      {
        AIT1: ait(1),
        AIT2: ait(2),
        AIT3: ait(3),
        AIT4: ait(4),
        AIT5: ait(5),
        AIT6: ait(6),
        AIT7: ait(7),
        ACYP: (row) => plain(row, "cyp6"),
      },
    ),
    key: ["CONO", "DIVI", "YEA4", "JRNO", "JSNO"],
    rows: (data) => allGlLines(data) as unknown as Iterable<Row>,
  },
  {
    name: "FCHACC",
    prefix: "EA",
    label: "Accounting identities",
    columns: columns(
      "EA",
      "CONO N3, DIVI A3, AITP N1, AITM A8, TX40 A40, TX15 A15, LCCD N1, RGDT N8, LMDT N8",
      { LCCD: (row) => (row.lccd ? String(row.lccd) : "0") },
    ),
    key: ["CONO", "DIVI", "AITP", "AITM"],
    rows: (data) => data.accounts as unknown as Row[],
  },
];

export function findTable(name: string): Table | undefined {
  return TABLES.find((t) => t.name === name.toUpperCase());
}

interface SortedCache {
  version: number;
  rows: Row[];
}
const sortedCache = new WeakMap<TenantData, Map<string, SortedCache>>();

function compareKey(table: Table): (a: Row, b: Row) => number {
  const keyColumns = table.key.map((k) => {
    const column = table.columns.find((c) => c.name === table.prefix + k);
    if (!column) throw new Error(`key column ${k} missing in ${table.name}`);
    return column;
  });
  return (a, b) => {
    for (const column of keyColumns) {
      const x = column.get(a);
      const y = column.get(b);
      if (x === y) continue;
      if (column.type === "N") return compareDecimal(x, y) ?? (x < y ? -1 : 1);
      return x < y ? -1 : 1;
    }
    return 0;
  };
}

/** All rows of a table in primary-key order, cached until the data changes. */
export function sortedRows(data: TenantData, table: Table): Row[] {
  let perData = sortedCache.get(data);
  if (!perData) {
    perData = new Map();
    sortedCache.set(data, perData);
  }
  const hit = perData.get(table.name);
  if (hit && hit.version === data.version) return hit.rows;
  const rows = [...table.rows(data)].sort(compareKey(table));
  perData.set(table.name, { version: data.version, rows });
  return rows;
}
