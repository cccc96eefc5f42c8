import { formatMinor, parseMinor } from "../data/amounts.ts";
import { invoiceLines } from "../data/derive.ts";
import type {
  GlLineRec,
  InvoiceRec,
  PoLineRec,
  PoRec,
  ReceiptRec,
  SupplierRec,
  TenantData,
} from "../data/model.ts";

/** Control-API error with a stable code. */
export class ControlError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = "ControlError";
    this.code = code;
    this.status = status;
  }
}

export const RECORD_KINDS = [
  "supplier",
  "po",
  "poLine",
  "receipt",
  "invoice",
  "invoiceLine",
  "payment",
  "voucher",
  "account",
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** Fields arrive as M3 codes (`SUNO`, `CUAM`, ...), values as strings or numbers. */
export type Fields = Record<string, unknown>;

const NUMERIC = new Set([
  "cono",
  "pnli",
  "pnls",
  "pnlx",
  "inbn",
  "yea4",
  "jrno",
  "jsno",
  "trno",
  "vono",
  "aitp",
]);

function text(fields: Fields, code: string): string | undefined {
  const value = fields[code];
  return value === undefined || value === null ? undefined : String(value);
}

function need(fields: Fields, code: string): string {
  const value = text(fields, code);
  if (value === undefined || value === "")
    throw new ControlError("missing_field", `${code} is required`);
  return value;
}

/** Copies M3-coded fields onto a record whose properties are the lower-case codes. */
function assign(target: object, fields: Fields, skip: string[] = []): void {
  const record = target as Record<string, unknown>;
  for (const [code, value] of Object.entries(fields)) {
    if (skip.includes(code) || code === "tenant" || code === "lines") continue;
    const prop = code.toLowerCase();
    if (!(prop in record))
      throw new ControlError("unknown_field", `field ${code} is not known for this record`);
    record[prop] = NUMERIC.has(prop) ? Number(value) : String(value);
  }
}

export interface UpsertContext {
  data: TenantData;
  /** Sim date YYYYMMDD: LMDT of every change, RGDT of new records. */
  today: string;
}

function supplier(ctx: UpsertContext, fields: Fields): SupplierRec {
  const cono = Number(text(fields, "CONO") ?? "100");
  const suno = need(fields, "SUNO");
  let rec = ctx.data.suppliers.find((s) => s.cono === cono && s.suno === suno);
  if (!rec) {
    rec = {
      cono,
      suno,
      sunm: "",
      suty: "0",
      stat: "20",
      alsu: "",
      cscd: "SE",
      lncd: "GB",
      phno: "",
      vrno: "",
      cucd: "EUR",
      tepy: "30",
      pyme: "BT",
      buye: "",
      rgdt: ctx.today,
      lmdt: ctx.today,
      chid: "SIMCTRL",
    };
    ctx.data.suppliers.push(rec);
  }
  assign(rec, fields);
  rec.lmdt = ctx.today;
  return rec;
}

function findPo(ctx: UpsertContext, fields: Fields): PoRec {
  const cono = Number(text(fields, "CONO") ?? "100");
  const puno = need(fields, "PUNO");
  const po = ctx.data.pos.find((p) => p.cono === cono && p.puno === puno);
  if (!po) throw new ControlError("not_found", `PO ${puno} not found`, 404);
  return po;
}

function po(ctx: UpsertContext, fields: Fields): PoRec {
  const cono = Number(text(fields, "CONO") ?? "100");
  const puno = text(fields, "PUNO") ?? String(ctx.data.seq.puno++);
  let rec = ctx.data.pos.find((p) => p.cono === cono && p.puno === puno);
  if (!rec) {
    const suno = need(fields, "SUNO");
    const sup = ctx.data.suppliers.find((s) => s.cono === cono && s.suno === suno);
    const divi = text(fields, "DIVI") ?? (cono === 100 ? "AAA" : "CCC");
    rec = {
      cono,
      divi,
      puno,
      suno,
      pudt: ctx.today,
      dwdt: ctx.today,
      cucd: sup?.cucd ?? "EUR",
      buye: "BUYER01",
      faci: `${divi[0]}01`,
      whlo: `${divi[0]}01`,
      orty: "PP1",
      pusl: "15",
      pust: "15",
      ait2: "CC100",
      rgdt: ctx.today,
      lmdt: ctx.today,
      chid: "SIMCTRL",
      lines: [],
    };
    ctx.data.pos.push(rec);
  }
  assign(rec, fields);
  rec.lmdt = ctx.today;
  return rec;
}

function poLine(ctx: UpsertContext, fields: Fields): PoLineRec {
  const head = findPo(ctx, fields);
  const pnli = Number(need(fields, "PNLI"));
  const pnls = Number(text(fields, "PNLS") ?? "0");
  let rec = head.lines.find((l) => l.pnli === pnli && l.pnls === pnls);
  if (!rec) {
    rec = {
      pnli,
      pnls,
      itno: "",
      itds: "",
      orqa: need(fields, "ORQA"),
      rvqa: "0",
      ivqa: "0",
      pupr: need(fields, "PUPR"),
      pucd: "1",
      puun: "PCS",
      ppun: "PCS",
      pust: "20",
      pusl: "20",
      dwdt: head.dwdt,
      rgdt: ctx.today,
      lmdt: ctx.today,
      receipts: [],
    };
    head.lines.push(rec);
  }
  assign(rec, fields, ["CONO", "PUNO"]);
  rec.lmdt = ctx.today;
  head.lmdt = ctx.today;
  return rec;
}

function receipt(ctx: UpsertContext, fields: Fields): ReceiptRec {
  const head = findPo(ctx, fields);
  const pnli = Number(need(fields, "PNLI"));
  const pnls = Number(text(fields, "PNLS") ?? "0");
  const line = head.lines.find((l) => l.pnli === pnli && l.pnls === pnls);
  if (!line) throw new ControlError("not_found", `PO line ${head.puno}/${pnli} not found`, 404);
  const repn = text(fields, "REPN") ?? String(ctx.data.seq.repn++);
  let rec = line.receipts.find((r) => r.repn === repn);
  if (!rec) {
    rec = {
      repn,
      pnlx: 0,
      trdt: ctx.today,
      tihm: "1200",
      rpqa: need(fields, "RPQA"),
      whlo: head.whlo,
      rgdt: ctx.today,
      lmdt: ctx.today,
    };
    line.receipts.push(rec);
  }
  assign(rec, fields, ["CONO", "PUNO", "PNLI", "PNLS"]);
  rec.lmdt = ctx.today;
  line.rvqa =
    formatMinor(
      line.receipts.reduce((sum, r) => sum + parseMinor(r.rpqa, 6), 0n),
      6,
    ).replace(/\.?0+$/, "") || "0";
  const full = parseMinor(line.rvqa, 6) >= parseMinor(line.orqa, 6);
  line.pust = full ? "75" : "50";
  line.pusl = line.pust;
  line.lmdt = ctx.today;
  head.lmdt = ctx.today;
  return rec;
}

export function postInvoice(data: TenantData, invoice: InvoiceRec): void {
  if (invoice.jrno !== 0) return;
  invoice.supa = "90";
  invoice.yea4 = Number(invoice.acdt.slice(0, 4));
  invoice.jrno = data.seq.jrno++;
  invoice.vono = data.seq.vono++;
  invoice.vser = "AP";
}

function findInvoice(ctx: UpsertContext, fields: Fields): InvoiceRec {
  const inbn = text(fields, "INBN");
  const suno = text(fields, "SUNO");
  const sino = text(fields, "SINO");
  const rec = ctx.data.invoices.find((i) =>
    inbn !== undefined ? i.inbn === Number(inbn) : i.suno === suno && i.sino === sino,
  );
  if (!rec) throw new ControlError("not_found", "invoice not found", 404);
  return rec;
}

function invoice(ctx: UpsertContext, fields: Fields): InvoiceRec {
  const inbnText = text(fields, "INBN");
  let rec =
    inbnText === undefined ? undefined : ctx.data.invoices.find((i) => i.inbn === Number(inbnText));
  if (!rec) {
    const suno = need(fields, "SUNO");
    const divi = text(fields, "DIVI") ?? "AAA";
    const division = ctx.data.divisions.find((d) => d.divi === divi);
    if (!division) throw new ControlError("unknown_division", `division ${divi} does not exist`);
    const sup = ctx.data.suppliers.find((s) => s.cono === division.cono && s.suno === suno);
    const puno = text(fields, "PUNO") ?? "";
    rec = {
      cono: division.cono,
      divi,
      inbn: inbnText === undefined ? ctx.data.seq.inbn++ : Number(inbnText),
      ibtp: puno ? "10" : "20",
      supa: "00",
      bist: "",
      suno,
      spyn: suno,
      sino: need(fields, "SINO"),
      ivdt: ctx.today,
      dudt: ctx.today,
      acdt: ctx.today,
      cucd: sup?.cucd ?? division.locd,
      cuam: need(fields, "CUAM"),
      vtam: "0.00",
      puno,
      apcd: "JSMITH",
      tepy: sup?.tepy ?? "30",
      ait1: "6100",
      ait2: "CC100",
      yea4: 0,
      jrno: 0,
      vser: "",
      vono: 0,
      rgdt: ctx.today,
      lmdt: ctx.today,
      chid: "SIMCTRL",
    };
    ctx.data.invoices.push(rec);
  }
  assign(rec, fields, ["INBN"]);
  if (rec.supa === "90") postInvoice(ctx.data, rec);
  rec.lmdt = ctx.today;
  return rec;
}

function invoiceLine(ctx: UpsertContext, fields: Fields): InvoiceRec {
  const head = findInvoice(ctx, fields);
  const lines = invoiceLines(head).map((l) => ({ ...l }));
  const trno = Number(text(fields, "TRNO") ?? String(lines.length + 1));
  let line = lines.find((l) => l.trno === trno);
  if (!line) {
    line = {
      trno,
      rdtp: text(fields, "PUNO") ? "1" : "8",
      puno: "",
      pnli: 0,
      pnls: 0,
      itno: "",
      ivqa: "0",
      puun: "PCS",
      ppun: "PCS",
      pucd: "1",
      grpr: "0.00",
      nlam: "0.00",
      ait1: head.ait1,
      ait2: head.ait2,
      rgdt: ctx.today,
      lmdt: ctx.today,
    };
    lines.push(line);
  }
  assign(line, fields, ["INBN", "SUNO", "SINO", "DIVI", "CONO"]);
  line.lmdt = ctx.today;
  head.lines = lines;
  head.lmdt = ctx.today;
  return head;
}

function payment(ctx: UpsertContext, fields: Fields): InvoiceRec {
  const head = findInvoice(ctx, fields);
  postInvoice(ctx.data, head);
  const existing = head.payment;
  head.payment = {
    acdt: text(fields, "ACDT") ?? existing?.acdt ?? ctx.today,
    jrno: existing?.jrno ?? ctx.data.seq.jrno++,
    vono: existing?.vono ?? ctx.data.seq.vono++,
    pyme: text(fields, "PYME") ?? existing?.pyme ?? "BT",
    cuam: text(fields, "CUAM") ?? formatMinor(-parseMinor(head.cuam)),
    rgdt: existing?.rgdt ?? ctx.today,
    lmdt: ctx.today,
  };
  head.lmdt = ctx.today;
  return head;
}

function voucher(ctx: UpsertContext, fields: Fields): GlLineRec[] {
  const divi = text(fields, "DIVI") ?? "AAA";
  const division = ctx.data.divisions.find((d) => d.divi === divi);
  if (!division) throw new ControlError("unknown_division", `division ${divi} does not exist`);
  const lines = fields.lines;
  if (!Array.isArray(lines) || lines.length === 0)
    throw new ControlError("missing_field", "lines[] is required");
  const acdt = text(fields, "ACDT") ?? ctx.today;
  const jrno = ctx.data.seq.jrno++;
  const vono = ctx.data.seq.vono++;
  const made = lines.map((raw, index): GlLineRec => {
    const line = raw as Fields;
    return {
      cono: division.cono,
      divi,
      yea4: Number(acdt.slice(0, 4)),
      jrno,
      jsno: index + 1,
      vser: "GL",
      vono,
      acdt,
      trcd: "10",
      feid: "GL10",
      fncn: "1",
      ait: [need(line, "AIT1"), text(line, "AIT2") ?? "", "", "", "", "", ""],
      acam: need(line, "ACAM"),
      cuam: text(line, "CUAM") ?? need(line, "ACAM"),
      cucd: division.locd,
      vtxt: text(line, "VTXT") ?? text(fields, "VTXT") ?? "",
      rgdt: ctx.today,
      lmdt: ctx.today,
    };
  });
  ctx.data.manualGl.push(...made);
  return made;
}

function account(ctx: UpsertContext, fields: Fields): unknown {
  const cono = Number(text(fields, "CONO") ?? "100");
  const divi = text(fields, "DIVI") ?? "AAA";
  const aitp = Number(need(fields, "AITP"));
  const aitm = need(fields, "AITM");
  let rec = ctx.data.accounts.find(
    (a) => a.cono === cono && a.divi === divi && a.aitp === aitp && a.aitm === aitm,
  );
  if (!rec) {
    rec = { cono, divi, aitp, aitm, tx40: "", tx15: "", rgdt: ctx.today, lmdt: ctx.today };
    ctx.data.accounts.push(rec);
  }
  assign(rec, fields);
  rec.lmdt = ctx.today;
  return rec;
}

const UPSERTS: Record<RecordKind, (ctx: UpsertContext, fields: Fields) => unknown> = {
  supplier,
  po,
  poLine,
  receipt,
  invoice,
  invoiceLine,
  payment,
  voucher,
  account,
};

/** Adds or changes one record; LMDT becomes the sim date, and cached views are invalidated. */
export function upsertRecord(ctx: UpsertContext, kind: string, fields: Fields): unknown {
  const upsert = UPSERTS[kind as RecordKind];
  if (!upsert)
    throw new ControlError(
      "unknown_kind",
      `record kind ${kind} is not one of ${RECORD_KINDS.join(", ")}`,
    );
  const result = upsert(ctx, fields);
  ctx.data.version++;
  return result;
}
