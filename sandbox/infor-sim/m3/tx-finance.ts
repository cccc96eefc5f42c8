import { invoiceLines, type LedgerRow, ledgerRows } from "../data/derive.ts";
import type { GlLineRec, InvoiceRec } from "../data/model.ts";
import {
  companyOf,
  divisionOf,
  limit,
  type MiContext,
  type MiHandler,
  type MiRecord,
  need,
  num,
  opt,
} from "./context.ts";
import { MiError, notFound } from "./errors.ts";
import { exportLstFields, exportSelect } from "./exportmi.ts";
import { findInvoice } from "./lookup.ts";
import { findTable, sortedRows } from "./tables.ts";

/** GL lines (FGLEDG) and supplier-ledger rows (FPLEDG) in key order, cached per data version. */
function cachedRows<T>(data: MiContext["data"], table: string): T[] {
  const def = findTable(table);
  if (!def) throw new Error(`table ${table} missing`);
  return sortedRows(data, def) as unknown as T[];
}

function invoiceOf(ctx: MiContext): InvoiceRec {
  const inbn = need(ctx, "INBN", "Invoice batch number");
  const invoice = findInvoice(ctx.data, Number(inbn));
  const divi = opt(ctx, "DIVI");
  if (!invoice || (divi !== "" && invoice.divi !== divi))
    throw notFound(`Invoice batch number ${inbn}`, "INBN");
  return invoice;
}

function invoiceHead(i: InvoiceRec): MiRecord {
  return {
    IBTP: i.ibtp,
    SUPA: i.supa,
    BIST: i.bist,
    SINO: i.sino,
    SPYN: i.spyn,
    SUNO: i.suno,
    IVDT: i.ivdt,
    CUCD: i.cucd,
    CUAM: i.cuam,
    VTAM: i.vtam,
    VONO: i.vono ? num(i.vono) : "0",
    VSER: i.vser,
    ACDT: i.acdt,
    APCD: i.apcd,
    DUDT: i.dudt,
    TEPY: i.tepy,
    PUNO: i.puno,
    YEA4: i.yea4 ? num(i.yea4) : "0",
    RGDT: i.rgdt,
    LMDT: i.lmdt,
  };
}

function ledgerFields(r: LedgerRow): MiRecord {
  return {
    CONO: num(r.cono),
    DIVI: r.divi,
    YEA4: num(r.yea4),
    JRNO: num(r.jrno),
    JSNO: num(r.jsno),
    TRCD: r.trcd,
    SPYN: r.spyn,
    SUNO: r.suno,
    SINO: r.sino,
    INYR: num(r.inyr),
    VSER: r.vser,
    VONO: num(r.vono),
    APCD: r.apcd,
    CUCD: r.cucd,
    CUAM: r.cuam,
    VTAM: r.vtam,
    IVDT: r.ivdt,
    DUDT: r.dudt,
    ACDT: r.acdt,
    TEPY: r.tepy,
    PYME: r.pyme,
    RGDT: r.rgdt,
    LMDT: r.lmdt,
  };
}

function glFields(g: GlLineRec): MiRecord {
  return {
    CONO: num(g.cono),
    DIVI: g.divi,
    YEA4: num(g.yea4),
    JRNO: num(g.jrno),
    JSNO: num(g.jsno),
    FEID: g.feid,
    FNCN: g.fncn,
    TRCD: g.trcd,
    ACDT: g.acdt,
    VSER: g.vser,
    VONO: num(g.vono),
    AIT1: g.ait[0],
    AIT2: g.ait[1],
    AIT3: g.ait[2],
    AIT4: g.ait[3],
    AIT5: g.ait[4],
    AIT6: g.ait[5],
    AIT7: g.ait[6],
    CUCD: g.cucd,
    ACAM: g.acam,
    CUAM: g.cuam,
    VTXT: g.vtxt,
    RGDT: g.rgdt,
    LMDT: g.lmdt,
  };
}

export const financeHandlers: Record<string, MiHandler> = {
  "APS450MI/GetHead": (ctx) => [invoiceHead(invoiceOf(ctx))],
  "APS450MI/LstLines": (ctx) => {
    const invoice = invoiceOf(ctx);
    const from = Number(opt(ctx, "TRNO") || "0");
    const lines = invoiceLines(invoice).filter((l) => l.trno >= from);
    return limit(lines, ctx).map((l) => ({
      TRNO: num(l.trno),
      RDTP: l.rdtp,
      NLAM: l.nlam,
      CUCD: invoice.cucd,
      PUNO: l.puno,
      PNLI: l.pnli ? num(l.pnli) : "0",
      PNLS: num(l.pnls),
      IVQA: l.ivqa,
      PUUN: l.puun,
      GRPR: l.grpr,
      PPUN: l.ppun,
      NEPR: l.grpr,
      PUCD: l.pucd,
      ITNO: l.itno,
      RGDT: l.rgdt,
      LMDT: l.lmdt,
    }));
  },
  "APS450MI/LstInvBySupInv": (ctx) => {
    const spyn = need(ctx, "SPYN", "Payee");
    const suno = need(ctx, "SUNO", "Supplier number");
    const sino = need(ctx, "SINO", "Supplier invoice number");
    const divi = divisionOf(ctx);
    const rows = ctx.data.invoices.filter(
      (i) => i.divi === divi && i.spyn === spyn && i.suno === suno && i.sino === sino,
    );
    return limit(rows, ctx).map((i) => ({ INBN: num(i.inbn), IBTP: i.ibtp, SUPA: i.supa }));
  },
  "APS450MI/LstInvBatchNo": (ctx) => {
    const spyn = need(ctx, "SPYN", "Payee");
    const divi = divisionOf(ctx);
    const suno = opt(ctx, "SUNO");
    const ibtp = opt(ctx, "IBTP");
    const supa = opt(ctx, "SUPA");
    const from = Number(opt(ctx, "INBN") || "0");
    const rows = ctx.data.invoices.filter(
      (i) =>
        i.divi === divi &&
        i.spyn === spyn &&
        i.inbn >= from &&
        (suno === "" || i.suno === suno) &&
        (ibtp === "" || i.ibtp === ibtp) &&
        (supa === "" || Number(i.supa) === Number(supa)),
    );
    return limit(rows, ctx).map((i) => ({
      INBN: num(i.inbn),
      SUNO: i.suno,
      SINO: i.sino,
      IBTP: i.ibtp,
      SUPA: i.supa,
    }));
  },
  "APS200MI/GetInvoice": (ctx) => {
    const yea4 = Number(need(ctx, "YEA4", "Year"));
    const jrno = Number(need(ctx, "JRNO", "Journal number"));
    const jsno = Number(need(ctx, "JSNO", "Journal number sequence"));
    const cono = companyOf(ctx);
    const divi = divisionOf(ctx);
    for (const row of cachedRows<LedgerRow>(ctx.data, "FPLEDG")) {
      if (
        row.cono === cono &&
        row.divi === divi &&
        row.yea4 === yea4 &&
        row.jrno === jrno &&
        row.jsno === jsno
      ) {
        return [ledgerFields(row)];
      }
    }
    throw notFound(`Invoice ${yea4}/${jrno}/${jsno}`, "JRNO");
  },
  "APS200MI/LstInvoiceTrans": (ctx) => {
    const spyn = need(ctx, "SPYN", "Payee");
    const sino = need(ctx, "SINO", "Supplier invoice number");
    const inyr = Number(need(ctx, "INYR", "Invoice year"));
    const suno = need(ctx, "SUNO", "Supplier number");
    const trcd = opt(ctx, "TRCD");
    const cono = companyOf(ctx);
    const divi = divisionOf(ctx);
    const rows: MiRecord[] = [];
    for (const invoice of ctx.data.invoices) {
      if (
        invoice.cono !== cono ||
        invoice.divi !== divi ||
        invoice.spyn !== spyn ||
        invoice.suno !== suno ||
        invoice.sino !== sino
      )
        continue;
      for (const row of ledgerRows(invoice)) {
        if (row.inyr !== inyr || (trcd !== "" && Number(row.trcd) !== Number(trcd))) continue;
        rows.push(ledgerFields(row));
      }
    }
    if (rows.length === 0) throw notFound(`Invoice ${sino}`, "SINO");
    return limit(rows, ctx);
  },
  "GLS200MI/LstVouchersByDt": (ctx) => {
    const frdt = need(ctx, "FRDT", "From date");
    const todt = need(ctx, "TODT", "To date");
    if (frdt > todt) throw new MiError("From date must be before to date", "XDT0001", "FRDT");
    const cono = companyOf(ctx);
    const divi = divisionOf(ctx);
    const rows: GlLineRec[] = [];
    for (const g of cachedRows<GlLineRec>(ctx.data, "FGLEDG")) {
      if (g.cono === cono && g.divi === divi && g.acdt >= frdt && g.acdt <= todt) rows.push(g);
      if (ctx.maxrecs > 0 && rows.length >= ctx.maxrecs) break;
    }
    return rows.map(glFields);
  },
  "GLS200MI/LstVoucherLines": (ctx) => {
    const divi = need(ctx, "DIVI", "Division");
    const yea4 = Number(need(ctx, "YEA4", "Year"));
    const vono = Number(need(ctx, "VONO", "Voucher number"));
    const vser = opt(ctx, "VSER");
    const jrno = opt(ctx, "JRNO");
    const cono = companyOf(ctx);
    const rows: GlLineRec[] = [];
    for (const g of cachedRows<GlLineRec>(ctx.data, "FGLEDG")) {
      if (g.cono !== cono || g.divi !== divi || g.yea4 !== yea4 || g.vono !== vono) continue;
      if ((vser !== "" && g.vser !== vser) || (jrno !== "" && g.jrno !== Number(jrno))) continue;
      rows.push(g);
    }
    if (rows.length === 0) throw notFound(`Voucher ${yea4}/${vono}`, "VONO");
    return limit(rows, ctx).map(glFields);
  },
  "CRS630MI/LstAccountID": (ctx) => {
    const aitp = Number(need(ctx, "AITP", "Accounting dimension"));
    const from = opt(ctx, "AITM");
    const cono = companyOf(ctx);
    const divi = divisionOf(ctx);
    const rows = ctx.data.accounts
      .filter((a) => a.cono === cono && a.divi === divi && a.aitp === aitp && a.aitm >= from)
      .sort((a, b) => (a.aitm < b.aitm ? -1 : 1));
    return limit(rows, ctx).map((a) => ({
      CONO: num(a.cono),
      DIVI: a.divi,
      AITP: num(a.aitp),
      AITM: a.aitm,
      TX40: a.tx40,
      TX15: a.tx15,
      RGDT: a.rgdt,
      LMDT: a.lmdt,
    }));
  },
  "EXPORTMI/Select": (ctx) =>
    exportSelect(ctx.data, ctx.input, ctx.cono, ctx.maxrecs, ctx.access, ctx.divi),
  "EXPORTMI/LstFields": (ctx) => limit(exportLstFields(need(ctx, "FILE", "File"), ctx.access), ctx),
};
