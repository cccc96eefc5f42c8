import type { Row } from "../../../src/infor/mapping/fields.ts";
import type { Rng } from "./random.ts";

/**
 * Plausible M3 and SyteLine rows (as src/infor's parsers hand them over: every value a string)
 * and mutations of them: dropped keys, blanks, impossible dates, amounts with thousands
 * separators or exponents, huge or unicode values, injection strings. A mutated row is what a
 * customised ERP, a half-migrated tenant or a broken extension table can send.
 */
export const M3_SUPPLIER: Row = {
  CONO: "100",
  SUNO: "S100",
  SUNM: "Acme Supplies",
  STAT: "20",
  CSCD: "SE",
  CUCD: "EUR",
  LMDT: "20261128",
};
export const M3_PO_HEAD: Row = {
  PUNO: "1000001",
  SUNO: "S100",
  PUSL: "35",
  PUST: "50",
  PUDT: "20261101",
  DWDT: "20261115",
  CUCD: "EUR",
  COAM: "1234.50",
  LMDT: "20261102",
};
export const M3_PO_LINE: Row = {
  PUNO: "1000001",
  PNLI: "10",
  PNLS: "0",
  ITNO: "A1",
  ORQA: "100",
  RVQA: "40",
  IVQA: "0",
  PUPR: "12.345",
  PUCD: "1",
  PUUN: "PCS",
  LMDT: "20261105",
};
export const M3_RECEIPT: Row = {
  PUNO: "1000001",
  PNLI: "10",
  PNLS: "0",
  REPN: "R1",
  TRDT: "20261104",
  RPQA: "40",
  LMDT: "20261104",
};
export const M3_INVOICE_HEAD: Row = {
  DIVI: "AAA",
  INBN: "55",
  SUPA: "20",
  SUNO: "S100",
  SINO: "INV-1",
  IVDT: "20261120",
  DUDT: "20261220",
  CUCD: "SEK",
  CUAM: "500.00",
  VTAM: "100.00",
  PUNO: "1000001",
  LMDT: "20261121",
};
export const M3_INVOICE_LINE: Row = {
  INBN: "55",
  TRNO: "1",
  PUNO: "1000001",
  PNLI: "10",
  IVQA: "40",
  GRPR: "12.50",
  NLAM: "500.00",
  AIT1: "4010",
  AIT2: "CC100",
};
export const M3_LEDGER: Row = {
  SUNO: "S1",
  SINO: "X1",
  YEA4: "2026",
  JRNO: "12",
  JSNO: "3",
  IVDT: "20261101",
  ACDT: "20261115",
  CUCD: "EUR",
  CUAM: "-10.00",
  TRCD: "50",
  PYME: "BT",
  LMDT: "20261115",
};
export const M3_GL_LINE: Row = {
  YEA4: "2026",
  VSER: "A",
  VONO: "42",
  JSNO: "1",
  ACDT: "20261130",
  AIT1: "4010",
  AIT2: "CC100",
  CUAM: "100.00",
  CUCD: "EUR",
  LMDT: "20261130",
};
export const M3_ACCOUNT: Row = {
  DIVI: "AAA",
  AITP: "1",
  AITM: "4010",
  TX40: "Rent",
  LMDT: "20261101",
};
export const IDO_VENDOR: Row = {
  VendNum: "1000001",
  Name: "Acme",
  CurrCode: "USD",
  Stat: "A",
  RecordDate: "20261130 00:00:00.000",
};
export const IDO_PO: Row = {
  PoNum: "P000001",
  VendNum: "1000001",
  OrderDate: "20261101 00:00:00.000",
  Stat: "O",
  CurrCode: "USD",
  TotalCost: "100.00000000",
  RecordDate: "20261130 00:00:00.000",
};
export const IDO_PO_ITEM: Row = {
  PoNum: "P000001",
  PoLine: "1",
  PoRelease: "0",
  Item: "A1",
  QtyOrdered: "10.00000000",
  QtyReceived: "0.00000000",
  ItemCost: "10.00000000",
  UM: "EA",
  RecordDate: "20261130 00:00:00.000",
};
export const IDO_VOUCHER: Row = {
  VendNum: "1000001",
  Voucher: "100",
  InvNum: "INV-9",
  InvDate: "20261101 00:00:00.000",
  InvAmt: "100.00000000",
  CurrCode: "USD",
  RecordDate: "20261130 00:00:00.000",
};
export const IDO_LEDGER: Row = {
  TransNum: "9001",
  Acct: "4010",
  AcctUnit1: "CC100",
  TransDate: "20261101 00:00:00.000",
  DomAmount: "12.50000000",
  CurrCode: "USD",
  RecordDate: "20261130 00:00:00.000",
};

const BAD_VALUES = [
  "",
  " ",
  "0",
  "00000000",
  "20261340",
  "20260230",
  "2026113",
  "30.11.2026",
  "99999999",
  "1,234.50",
  "1.234,50",
  "1e5",
  "NaN",
  "Infinity",
  "--5",
  "12.50--",
  "-",
  ".",
  "0x1F",
  "9".repeat(400),
  `${"1".repeat(40)}.5`,
  "' or 1=1",
  "<!channel>",
  "\u202e\u200b",
  "🧾💸",
  "\u0000\u001b[31m",
  "x".repeat(100_000),
  "__proto__",
];

export function mutateRow(rng: Rng, base: Row): Row {
  const out: Record<string, string | undefined> = { ...base };
  const keys = Object.keys(base);
  const edits = rng.int(1, 4);
  for (let i = 0; i < edits; i++) {
    const key = rng.pick(keys);
    const r = rng.next();
    if (r < 0.2) delete out[key];
    else if (r < 0.3) out[key] = undefined;
    else if (r < 0.85) out[key] = rng.pick(BAD_VALUES);
    else out[`${key}X${rng.int(0, 9)}`] = rng.pick(BAD_VALUES);
  }
  return out;
}

/** Usually the base row, sometimes a mutant: so the fuzz reaches valid and failing records. */
export function maybeMutate(rng: Rng, base: Row, p: number): Row {
  return rng.chance(p) ? mutateRow(rng, base) : { ...base };
}
