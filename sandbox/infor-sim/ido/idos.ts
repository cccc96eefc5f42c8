import { isDecimal } from "../data/amounts.ts";
import { allGlLines, poTotal } from "../data/derive.ts";
import type { TenantData } from "../data/model.ts";

/** Property kind: s string, d date ("yyyyMMdd HH:mm:ss.fff"), n decimal (8 places), i integer. */
export type PropKind = "s" | "d" | "n" | "i";

export type IdoRow = Record<string, string>;

export interface IdoDef {
  name: string;
  /** Table shown in `_ItemId` (PBT=[table]). */
  table: string;
  key: string[];
  props: Record<string, PropKind>;
  rows(data: TenantData): IdoRow[];
}

/** SyteLine/CSI data is derived from company 100 of the same seeded data. */
const COMPANY = 100;

export const idoDate = (ymd: string): string => (ymd.length === 8 ? `${ymd} 00:00:00.000` : ymd);

export function idoDecimal(text: string): string {
  // A value that is not a number is served as the ERP holds it (the connector quarantines it).
  if (!isDecimal(text)) return text;
  const [whole = "0", frac = ""] = text.split(".");
  return `${whole}.${frac.padEnd(8, "0").slice(0, 8)}`;
}

export const vendNum = (suno: string): string => suno.slice(-7).padStart(7, "0");

export const IDOS: IdoDef[] = [
  {
    name: "SLVendors",
    table: "vendor",
    key: ["VendNum"],
    props: {
      VendNum: "s",
      Name: "s",
      CurrCode: "s",
      TermsCode: "s",
      Country: "s",
      TaxRegNum1: "s",
      Stat: "s",
      CreateDate: "d",
      RecordDate: "d",
    },
    rows: (data) =>
      data.suppliers
        .filter((s) => s.cono === COMPANY)
        .map((s) => ({
          VendNum: vendNum(s.suno),
          Name: s.sunm,
          CurrCode: s.cucd,
          TermsCode: s.tepy,
          Country: s.cscd,
          TaxRegNum1: s.vrno,
          Stat: s.stat === "90" ? "H" : "A",
          CreateDate: idoDate(s.rgdt),
          RecordDate: idoDate(s.lmdt),
        })),
  },
  {
    name: "SLPos",
    table: "po",
    key: ["PoNum"],
    props: {
      PoNum: "s",
      VendNum: "s",
      OrderDate: "d",
      Stat: "s",
      CurrCode: "s",
      Buyer: "s",
      TotalCost: "n",
      Whse: "s",
      RecordDate: "d",
    },
    rows: (data) =>
      data.pos
        .filter((p) => p.cono === COMPANY)
        .map((p) => ({
          PoNum: p.puno,
          VendNum: vendNum(p.suno),
          OrderDate: idoDate(p.pudt),
          Stat: Number(p.pusl) >= 75 ? "F" : "O",
          CurrCode: p.cucd,
          Buyer: p.buye,
          TotalCost: idoDecimal(poTotal(p)),
          Whse: p.whlo,
          RecordDate: idoDate(p.lmdt),
        })),
  },
  {
    name: "SLPoItems",
    table: "poitem",
    key: ["PoNum", "PoLine", "PoRelease"],
    props: {
      PoNum: "s",
      PoLine: "i",
      PoRelease: "i",
      Item: "s",
      Description: "s",
      QtyOrdered: "n",
      QtyReceived: "n",
      QtyVoucher: "n",
      ItemCost: "n",
      UM: "s",
      Stat: "s",
      DueDate: "d",
      RecordDate: "d",
    },
    rows: (data) =>
      data.pos
        .filter((p) => p.cono === COMPANY)
        .flatMap((p) =>
          p.lines.map((l) => ({
            PoNum: p.puno,
            PoLine: String(l.pnli / 10),
            PoRelease: String(l.pnls),
            Item: l.itno,
            Description: l.itds,
            QtyOrdered: idoDecimal(l.orqa),
            QtyReceived: idoDecimal(l.rvqa),
            QtyVoucher: idoDecimal(l.ivqa),
            ItemCost: idoDecimal(l.pupr),
            UM: l.puun,
            Stat: Number(l.pust) >= 75 ? "F" : "O",
            DueDate: idoDate(l.dwdt),
            RecordDate: idoDate(l.lmdt),
          })),
        ),
  },
  {
    name: "SLVchHdrs",
    table: "aptrxp",
    key: ["Voucher"],
    props: {
      VendNum: "s",
      VadName: "s",
      Voucher: "i",
      VouchSeq: "i",
      InvNum: "s",
      InvDate: "d",
      DistDate: "d",
      RecordDate: "d",
      Type: "s",
      InvAmt: "n",
      DiscPct: "n",
      TermsCode: "s",
      ExchRate: "n",
      PreRegister: "i",
      InWorkflow: "i",
      PostFromPo: "i",
      ApAcct: "s",
      PoNum: "s",
      CurrCode: "s",
    },
    rows: (data) => {
      const names = new Map(data.suppliers.map((s) => [`${s.cono}/${s.suno}`, s.sunm]));
      return data.invoices
        .filter((i) => i.cono === COMPANY)
        .map((i) => ({
          VendNum: vendNum(i.suno),
          VadName: names.get(`${i.cono}/${i.suno}`) ?? "",
          Voucher: String(i.inbn),
          VouchSeq: "0",
          InvNum: i.sino,
          InvDate: idoDate(i.ivdt),
          DistDate: idoDate(i.acdt),
          RecordDate: idoDate(i.lmdt),
          Type: i.cuam.startsWith("-") ? "A" : "V",
          InvAmt: idoDecimal(i.cuam),
          DiscPct: idoDecimal("0"),
          TermsCode: i.tepy,
          ExchRate: idoDecimal("1"),
          PreRegister: i.supa !== "50" && i.supa !== "90" ? "1" : "0",
          InWorkflow: ["40", "41", "42", "43"].includes(i.supa) ? "1" : "0",
          PostFromPo: i.puno === "" ? "0" : "1",
          ApAcct: "2410",
          PoNum: i.puno,
          CurrCode: i.cucd,
        }));
    },
  },
  {
    name: "SLLedgers",
    table: "ledger",
    key: ["TransNum"],
    props: {
      TransNum: "i",
      Acct: "s",
      AcctUnit1: "s",
      TransDate: "d",
      DomAmount: "n",
      ForAmount: "n",
      CurrCode: "s",
      Ref: "s",
      VendNum: "s",
      Voucher: "s",
      RecordDate: "d",
    },
    rows: (data) => {
      const rows: IdoRow[] = [];
      for (const g of allGlLines(data)) {
        if (g.cono !== COMPANY) continue;
        rows.push({
          TransNum: String(g.jrno * 1000 + g.jsno),
          Acct: g.ait[0],
          AcctUnit1: g.ait[1],
          TransDate: idoDate(g.acdt),
          DomAmount: idoDecimal(g.acam),
          ForAmount: idoDecimal(g.cuam),
          CurrCode: g.cucd,
          Ref: g.vtxt,
          VendNum: g.feid.startsWith("AP") ? vendNum(g.vtxt.split(" ")[0] ?? "") : "",
          Voucher: String(g.vono),
          RecordDate: idoDate(g.lmdt),
        });
      }
      return rows;
    },
  },
];

/** IDO names are case-sensitive in Mongoose; `SLPOs` is the spelling public code settled on. */
export function findIdo(name: string): IdoDef | undefined {
  const wanted = name === "SLPOs" ? "SLPos" : name;
  return IDOS.find((ido) => ido.name === wanted);
}
