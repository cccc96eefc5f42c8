import { formatMinor, isDecimal, parseMinor } from "../data/amounts.ts";
import { invoiceLines, manualGlLine } from "../data/derive.ts";
import type { GlLineRec, InvoiceRec, TenantData } from "../data/model.ts";
import {
  assign,
  ControlError,
  type Fields,
  need,
  put,
  text,
  type UpsertContext,
} from "./fields.ts";

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

export function invoice(ctx: UpsertContext, fields: Fields): InvoiceRec {
  const inbnText = text(fields, "INBN");
  const found =
    inbnText === undefined ? undefined : ctx.data.invoices.find((i) => i.inbn === Number(inbnText));
  const make = (): InvoiceRec => {
    const suno = need(fields, "SUNO");
    const divi = text(fields, "DIVI") ?? "AAA";
    const division = ctx.data.divisions.find((d) => d.divi === divi);
    if (!division) throw new ControlError("unknown_division", `division ${divi} does not exist`);
    const sup = ctx.data.suppliers.find((s) => s.cono === division.cono && s.suno === suno);
    const puno = text(fields, "PUNO") ?? "";
    return {
      cono: division.cono,
      divi,
      inbn: inbnText === undefined ? ctx.data.seq.inbn++ : Number(inbnText),
      // A PO-matched invoice is a supplier invoice (20) too: 10 is self-billing.
      ibtp: "20",
      supa: "10",
      rejd: "",
      scre: "",
      bist: "0",
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
  };
  const rec = put(ctx, ctx.data.invoices, found, make, fields, ["INBN"]);
  if (rec.supa === "90") postInvoice(ctx.data, rec);
  return rec;
}

export function invoiceLine(ctx: UpsertContext, fields: Fields): InvoiceRec {
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

export function payment(ctx: UpsertContext, fields: Fields): InvoiceRec {
  const head = findInvoice(ctx, fields);
  // Posting changes the batch (SUPA 90); the payment itself is booked in the AP ledger only
  // (FPLEDG TRCD 50) and leaves the batch head and its change date alone.
  if (head.jrno === 0) {
    postInvoice(ctx.data, head);
    head.lmdt = ctx.today;
  }
  const existing = head.payment;
  head.payment = {
    acdt: text(fields, "ACDT") ?? existing?.acdt ?? ctx.today,
    jrno: existing?.jrno ?? ctx.data.seq.jrno++,
    vono: existing?.vono ?? ctx.data.seq.vono++,
    pyme: text(fields, "PYME") ?? existing?.pyme ?? "BT",
    cuam:
      text(fields, "CUAM") ??
      (isDecimal(head.cuam) ? formatMinor(-parseMinor(head.cuam)) : head.cuam),
    rgdt: existing?.rgdt ?? ctx.today,
    lmdt: ctx.today,
  };
  return head;
}

export function voucher(ctx: UpsertContext, fields: Fields): GlLineRec[] {
  const divi = text(fields, "DIVI") ?? "AAA";
  const division = ctx.data.divisions.find((d) => d.divi === divi);
  if (!division) throw new ControlError("unknown_division", `division ${divi} does not exist`);
  const lines = fields.lines;
  if (!Array.isArray(lines) || lines.length === 0)
    throw new ControlError("missing_field", "lines[] is required");
  const acdt = text(fields, "ACDT") ?? ctx.today;
  const jrno = ctx.data.seq.jrno++;
  const vono = ctx.data.seq.vono++;
  const voucher = { jrno, vono, acdt, changedOn: ctx.today };
  const made = lines.map((raw, index): GlLineRec => {
    const line = raw as Fields;
    const cuam = text(line, "CUAM");
    const cyp6 = text(line, "CYP6") ?? text(fields, "CYP6");
    return manualGlLine(division, voucher, {
      jsno: index + 1,
      ait1: need(line, "AIT1"),
      ait2: text(line, "AIT2") ?? "",
      acam: need(line, "ACAM"),
      ...(cuam !== undefined ? { cuam } : {}),
      vtxt: text(line, "VTXT") ?? text(fields, "VTXT") ?? "",
      ...(cyp6 !== undefined ? { cyp6 } : {}),
    });
  });
  ctx.data.manualGl.push(...made);
  return made;
}

export function account(ctx: UpsertContext, fields: Fields): unknown {
  const cono = Number(text(fields, "CONO") ?? "100");
  const divi = text(fields, "DIVI") ?? "AAA";
  const aitp = Number(need(fields, "AITP"));
  const aitm = need(fields, "AITM");
  const found = ctx.data.accounts.find(
    (a) => a.cono === cono && a.divi === divi && a.aitp === aitp && a.aitm === aitm,
  );
  return put(
    ctx,
    ctx.data.accounts,
    found,
    () => ({
      cono,
      divi,
      aitp,
      aitm,
      tx40: "",
      tx15: "",
      lccd: "0",
      rgdt: ctx.today,
      lmdt: ctx.today,
    }),
    fields,
  );
}
