import { sumQuantities } from "../data/amounts.ts";
import { poLineAmount, poTotal } from "../data/derive.ts";
import type { PoRec, SupplierRec } from "../data/model.ts";
import {
  companyOf,
  limit,
  type MiContext,
  type MiHandler,
  type MiRecord,
  need,
  num,
  opt,
} from "./context.ts";
import { notFound } from "./errors.ts";
import { findPo, findSupplier } from "./lookup.ts";

function supplierFields(s: SupplierRec): MiRecord {
  return {
    CONO: num(s.cono),
    SUNO: s.suno,
    SUNM: s.sunm,
    SUTY: s.suty,
    ALSU: s.alsu,
    STAT: s.stat,
    LNCD: s.lncd,
    PHNO: s.phno,
    CSCD: s.cscd,
    VRNO: s.vrno,
    CUCD: s.cucd,
    TEPY: s.tepy,
    PYME: s.pyme,
    BUYE: s.buye,
  };
}

function poOf(ctx: MiContext): PoRec {
  const puno = need(ctx, "PUNO", "Purchase order number");
  const po = findPo(ctx.data, companyOf(ctx), puno);
  if (!po) throw notFound(`Purchase order number ${puno}`, "PUNO");
  return po;
}

function poHead(po: PoRec, ctx: MiContext): MiRecord {
  const division = ctx.data.divisions.find((d) => d.divi === po.divi);
  return {
    CONO: num(po.cono),
    DIVI: po.divi,
    PUNO: po.puno,
    SUNO: po.suno,
    DATE: po.rgdt,
    PUDT: po.pudt,
    DWDT: po.dwdt,
    CONM: division?.conm ?? "",
    BUYE: po.buye,
    CUCD: po.cucd,
    FACI: po.faci,
    WHLO: po.whlo,
    ORTY: po.orty,
    PUSL: po.pusl,
    PUST: po.pust,
    COAM: poTotal(po),
    NTAM: poTotal(po),
    TOQT: sumQuantities(po.lines.map((l) => l.orqa)),
    LOCD: division?.locd ?? "",
    NOLN: num(po.lines.length),
  };
}

export const supplyHandlers: Record<string, MiHandler> = {
  "CRS620MI/LstSuppliers": (ctx) => {
    const cono = companyOf(ctx);
    const from = opt(ctx, "FRSU");
    const to = opt(ctx, "TOSU");
    const rows = ctx.data.suppliers
      .filter(
        (s) => s.cono === cono && (from === "" || s.suno >= from) && (to === "" || s.suno <= to),
      )
      .sort((a, b) => (a.suno < b.suno ? -1 : 1));
    return limit(rows, ctx).map(supplierFields);
  },
  "CRS620MI/GetBasicData": (ctx) => {
    const suno = need(ctx, "SUNO", "Supplier number");
    const supplier = findSupplier(ctx.data, companyOf(ctx), suno);
    if (!supplier) throw notFound(`Supplier number ${suno}`, "SUNO");
    return [supplierFields(supplier)];
  },
  "PPS200MI/GetHead": (ctx) => [poHead(poOf(ctx), ctx)],
  "PPS001MI/GetHeadBasic": (ctx) => [poHead(poOf(ctx), ctx)],
  "PPS200MI/LstLine": (ctx) => {
    const po = poOf(ctx);
    const lines = [...po.lines].sort((a, b) => a.pnli - b.pnli || a.pnls - b.pnls);
    return limit(lines, ctx).map((l) => ({
      CONO: num(po.cono),
      PUNO: po.puno,
      PNLI: num(l.pnli),
      PNLS: num(l.pnls),
      ITNO: l.itno,
      ITDS: l.itds,
      PITD: l.itds,
      ORQA: l.orqa,
      ORQT: l.orqa,
      RVQA: l.rvqa,
      RVQT: l.rvqa,
      IVQA: l.ivqa,
      PUPR: l.pupr,
      CUPR: l.pupr,
      PPUN: l.ppun,
      PUCD: l.pucd,
      PUUN: l.puun,
      LNAM: poLineAmount(l),
      PUST: l.pust,
      PUSL: l.pusl,
      DWDT: l.dwdt,
      SUNO: po.suno,
      FACI: po.faci,
      WHLO: po.whlo,
      BUYE: po.buye,
      LOCD: ctx.data.divisions.find((d) => d.divi === po.divi)?.locd ?? "",
    }));
  },
  "PPS200MI/LstReceiptsByPO": (ctx) => {
    const po = poOf(ctx);
    const pnli = Number(opt(ctx, "PNLI") || "0");
    const pnls = opt(ctx, "PNLS");
    const rows: MiRecord[] = [];
    for (const line of po.lines) {
      if (pnli !== 0 && line.pnli !== pnli) continue;
      if (pnls !== "" && pnli !== 0 && line.pnls !== Number(pnls)) continue;
      for (const r of line.receipts) {
        rows.push({
          PUNO: po.puno,
          PNLI: num(line.pnli),
          PNLS: num(line.pnls),
          PNLX: num(r.pnlx),
          PUOS: line.pust,
          REPN: r.repn,
          WHLO: r.whlo,
          TRDT: r.trdt,
          TIHM: r.tihm,
          RPQT: r.rpqa,
          RPQA: r.rpqa,
          SUNO: po.suno,
        });
      }
    }
    return limit(rows, ctx);
  },
};
