import { isDecimal, parseMinor, sumQuantities } from "../data/amounts.ts";
import type { PoLineRec, PoRec, ReceiptRec, SupplierRec } from "../data/model.ts";
import { ControlError, type Fields, need, put, text, type UpsertContext } from "./fields.ts";

export function supplier(ctx: UpsertContext, fields: Fields): SupplierRec {
  const cono = Number(text(fields, "CONO") ?? "100");
  const suno = need(fields, "SUNO");
  const found = ctx.data.suppliers.find((s) => s.cono === cono && s.suno === suno);
  return put(
    ctx,
    ctx.data.suppliers,
    found,
    () => ({
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
    }),
    fields,
  );
}

function findPo(ctx: UpsertContext, fields: Fields): PoRec {
  const cono = Number(text(fields, "CONO") ?? "100");
  const puno = need(fields, "PUNO");
  const po = ctx.data.pos.find((p) => p.cono === cono && p.puno === puno);
  if (!po) throw new ControlError("not_found", `PO ${puno} not found`, 404);
  return po;
}

export function po(ctx: UpsertContext, fields: Fields): PoRec {
  const cono = Number(text(fields, "CONO") ?? "100");
  const puno = text(fields, "PUNO") ?? String(ctx.data.seq.puno++);
  const found = ctx.data.pos.find((p) => p.cono === cono && p.puno === puno);
  return put(
    ctx,
    ctx.data.pos,
    found,
    () => {
      const suno = need(fields, "SUNO");
      const sup = ctx.data.suppliers.find((s) => s.cono === cono && s.suno === suno);
      const divi = text(fields, "DIVI") ?? (cono === 100 ? "AAA" : "CCC");
      return {
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
    },
    fields,
  );
}

export function poLine(ctx: UpsertContext, fields: Fields): PoLineRec {
  const head = findPo(ctx, fields);
  const pnli = Number(need(fields, "PNLI"));
  const pnls = Number(text(fields, "PNLS") ?? "0");
  const found = head.lines.find((l) => l.pnli === pnli && l.pnls === pnls);
  const rec = put(
    ctx,
    head.lines,
    found,
    () => ({
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
    }),
    fields,
    ["CONO", "PUNO"],
  );
  head.lmdt = ctx.today;
  return rec;
}

export function receipt(ctx: UpsertContext, fields: Fields): ReceiptRec {
  const head = findPo(ctx, fields);
  const pnli = Number(need(fields, "PNLI"));
  const pnls = Number(text(fields, "PNLS") ?? "0");
  const line = head.lines.find((l) => l.pnli === pnli && l.pnls === pnls);
  if (!line) throw new ControlError("not_found", `PO line ${head.puno}/${pnli} not found`, 404);
  const repn = text(fields, "REPN") ?? String(ctx.data.seq.repn++);
  const found = line.receipts.find((r) => r.repn === repn);
  const rec = put(
    ctx,
    line.receipts,
    found,
    () => ({
      repn,
      pnlx: 0,
      trdt: ctx.today,
      tihm: "1200",
      rpqa: need(fields, "RPQA"),
      whlo: head.whlo,
      rgdt: ctx.today,
      lmdt: ctx.today,
    }),
    fields,
    ["CONO", "PUNO", "PNLI", "PNLS"],
  );
  line.rvqa = sumQuantities(line.receipts.map((r) => r.rpqa));
  // A quantity held as text leaves the status alone: "fully received" cannot be decided.
  if (isDecimal(line.rvqa) && isDecimal(line.orqa)) {
    const full = parseMinor(line.rvqa, 6) >= parseMinor(line.orqa, 6);
    line.pust = full ? "75" : "50";
    line.pusl = line.pust;
  }
  line.lmdt = ctx.today;
  head.lmdt = ctx.today;
  return rec;
}
