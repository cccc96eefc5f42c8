import { formatMinor, isDecimal, lineAmount, parseMinor } from "./amounts.ts";
import { AP_ACCOUNT, BANK_ACCOUNT, VAT_ACCOUNT } from "./catalog.ts";
import type { Division, GlLineRec, InvoiceLineRec, InvoiceRec, TenantData } from "./model.ts";

/**
 * Rows that M3 keeps in their own tables but the sim derives from the invoice they belong to
 * (supplier-ledger rows, GL lines, the single line of a cost invoice): 100k invoices stay small.
 */
export function invoiceLines(invoice: InvoiceRec): InvoiceLineRec[] {
  if (invoice.lines) return invoice.lines;
  // An amount held as text (a control upsert can store one, as an ERP can) derives no net amount:
  // the line is served with NLAM blank rather than failing every read of the table.
  const numeric = isDecimal(invoice.cuam) && isDecimal(invoice.vtam);
  const net = numeric ? parseMinor(invoice.cuam) - parseMinor(invoice.vtam) : undefined;
  return [
    {
      trno: 1,
      rdtp: "8",
      puno: "",
      pnli: 0,
      pnls: 0,
      itno: "",
      ivqa: "0",
      puun: "",
      ppun: "",
      pucd: "",
      grpr: "0.00",
      nlam: net === undefined ? "" : formatMinor(net),
      ait1: invoice.ait1,
      ait2: invoice.ait2,
      rgdt: invoice.rgdt,
      lmdt: invoice.lmdt,
    },
  ];
}

/** Supplier ledger (FPLEDG) row: TRCD 40 invoice, 50 payment. */
export interface LedgerRow {
  cono: number;
  divi: string;
  yea4: number;
  jrno: number;
  jsno: number;
  trcd: string;
  spyn: string;
  suno: string;
  sino: string;
  inyr: number;
  ivdt: string;
  dudt: string;
  acdt: string;
  cucd: string;
  cuam: string;
  vtam: string;
  vser: string;
  vono: number;
  pyme: string;
  apcd: string;
  tepy: string;
  rgdt: string;
  lmdt: string;
  invoice: InvoiceRec;
}

export function ledgerRows(invoice: InvoiceRec): LedgerRow[] {
  if (invoice.supa !== "90") return [];
  const base = {
    cono: invoice.cono,
    divi: invoice.divi,
    jsno: 1,
    spyn: invoice.spyn,
    suno: invoice.suno,
    sino: invoice.sino,
    inyr: Number(invoice.ivdt.slice(0, 4)),
    ivdt: invoice.ivdt,
    dudt: invoice.dudt,
    cucd: invoice.cucd,
    apcd: invoice.apcd,
    tepy: invoice.tepy,
    invoice,
  };
  const rows: LedgerRow[] = [
    {
      ...base,
      yea4: invoice.yea4,
      jrno: invoice.jrno,
      trcd: "40",
      acdt: invoice.acdt,
      cuam: invoice.cuam,
      vtam: invoice.vtam,
      vser: invoice.vser,
      vono: invoice.vono,
      pyme: "",
      rgdt: invoice.acdt,
      lmdt: invoice.lmdt,
    },
  ];
  const payment = invoice.payment;
  if (payment) {
    rows.push({
      ...base,
      yea4: Number(payment.acdt.slice(0, 4)),
      jrno: payment.jrno,
      trcd: "50",
      acdt: payment.acdt,
      cuam: payment.cuam,
      vtam: "0.00",
      vser: "AP",
      vono: payment.vono,
      pyme: payment.pyme,
      rgdt: payment.rgdt,
      lmdt: payment.lmdt,
    });
  }
  return rows;
}

function gl(
  invoice: InvoiceRec,
  jrno: number,
  vono: number,
  acdt: string,
  feid: string,
  jsno: number,
  ait1: string,
  ait2: string,
  minor: bigint,
  lmdt: string,
): GlLineRec {
  const amount = formatMinor(minor);
  return {
    cono: invoice.cono,
    divi: invoice.divi,
    yea4: Number(acdt.slice(0, 4)),
    jrno,
    jsno,
    vser: "AP",
    vono,
    acdt,
    trcd: feid === "AP50" ? "50" : "40",
    feid,
    fncn: "1",
    ait: [ait1, ait2, "", "", "", "", ""],
    cyp6: acdt.slice(0, 6),
    // The sim books foreign-currency invoices at rate 1 (no FX tables): ACAM = CUAM.
    acam: amount,
    cuam: amount,
    cucd: invoice.cucd,
    vtxt: `${invoice.suno} ${invoice.sino}`.slice(0, 40),
    rgdt: acdt,
    lmdt,
  };
}

/** GL lines (FGLEDG) of a posted invoice and of its payment; they balance to zero. */
export function invoiceGlLines(invoice: InvoiceRec): GlLineRec[] {
  if (invoice.supa !== "90") return [];
  // Amounts held as text cannot be posted: no GL lines, as no real ledger would have them.
  const amounts = [invoice.cuam, invoice.vtam, ...(invoice.payment ? [invoice.payment.cuam] : [])];
  const lineAmounts = invoiceLines(invoice).map((l) => l.nlam);
  if (![...amounts, ...lineAmounts].every(isDecimal)) return [];
  const total = parseMinor(invoice.cuam);
  const vat = parseMinor(invoice.vtam);
  const at = (jsno: number, ait1: string, ait2: string, minor: bigint): GlLineRec =>
    gl(
      invoice,
      invoice.jrno,
      invoice.vono,
      invoice.acdt,
      "AP10",
      jsno,
      ait1,
      ait2,
      minor,
      invoice.lmdt,
    );
  const lines = [at(1, AP_ACCOUNT, "", -total)];
  for (const line of invoiceLines(invoice)) {
    lines.push(at(lines.length + 1, line.ait1, line.ait2 || invoice.ait2, parseMinor(line.nlam)));
  }
  if (vat !== 0n) lines.push(at(lines.length + 1, VAT_ACCOUNT, "", vat));
  const payment = invoice.payment;
  if (payment) {
    const paid = -parseMinor(payment.cuam);
    const pay = (jsno: number, ait1: string, minor: bigint): GlLineRec =>
      gl(
        invoice,
        payment.jrno,
        payment.vono,
        payment.acdt,
        "AP50",
        jsno,
        ait1,
        "",
        minor,
        payment.lmdt,
      );
    lines.push(pay(1, AP_ACCOUNT, paid), pay(2, BANK_ACCOUNT, -paid));
  }
  return lines;
}

/** Every GL line of a tenant, in no particular order. */
export function* allGlLines(data: TenantData): Generator<GlLineRec> {
  for (const invoice of data.invoices) yield* invoiceGlLines(invoice);
  yield* data.manualGl;
}

export function* allLedgerRows(data: TenantData): Generator<LedgerRow> {
  for (const invoice of data.invoices) yield* ledgerRows(invoice);
}

/**
 * Line amount of a PO line: ordered quantity times price per PUCD units, exact. Blank when the
 * line holds a quantity, price or price unit that is not a number (the ERP serves such a field as
 * it holds it; an amount derived from it does not exist).
 */
export function poLineAmount(line: { orqa: string; pupr: string; pucd: string }): string {
  const pucd = line.pucd.trim() || "1";
  if (!isDecimal(line.orqa) || !isDecimal(line.pupr) || !/^\d+$/.test(pucd)) return "";
  const per = BigInt(pucd) || 1n;
  return formatMinor(lineAmount(line.orqa.trim(), parseMinor(line.pupr)) / per);
}

/** Total of a PO's line amounts; blank when one of them is blank. */
export function poTotal(po: {
  lines: Array<{ orqa: string; pupr: string; pucd: string }>;
}): string {
  let total = 0n;
  for (const line of po.lines) {
    const amount = poLineAmount(line);
    if (amount === "") return "";
    total += parseMinor(amount);
  }
  return formatMinor(total);
}

/** One line of a manual GL voucher (GL10, transaction code 10). ACAM = CUAM unless given. */
export function manualGlLine(
  division: Pick<Division, "cono" | "divi" | "locd">,
  voucher: { jrno: number; vono: number; acdt: string; changedOn: string },
  line: {
    jsno: number;
    ait1: string;
    ait2: string;
    acam: string;
    cuam?: string;
    vtxt: string;
    /** GL period YYYYPP when it is not the accounting date's month (e.g. period 13). */
    cyp6?: string;
  },
): GlLineRec {
  return {
    cono: division.cono,
    divi: division.divi,
    yea4: Number(voucher.acdt.slice(0, 4)),
    jrno: voucher.jrno,
    jsno: line.jsno,
    vser: "GL",
    vono: voucher.vono,
    acdt: voucher.acdt,
    trcd: "10",
    feid: "GL10",
    fncn: "1",
    ait: [line.ait1, line.ait2, "", "", "", "", ""],
    cyp6: line.cyp6 ?? voucher.acdt.slice(0, 6),
    acam: line.acam,
    cuam: line.cuam ?? line.acam,
    cucd: division.locd,
    vtxt: line.vtxt,
    rgdt: voucher.changedOn,
    lmdt: voucher.changedOn,
  };
}
