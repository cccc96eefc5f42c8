import { formatMinor } from "./amounts.ts";
import { BUYERS, COST_CENTERS, ITEMS } from "./catalog.ts";
import { addDays, earlierOf, laterOf } from "./dates.ts";
import type { Division, PoLineRec, PoRec, ReceiptRec, SupplierRec } from "./model.ts";
import type { Rng } from "./rng.ts";

/** How much of a line has arrived. */
export type ReceiptState = "full" | "partial" | "none";

export interface PoContext {
  rng: Rng;
  today: string;
  nextRepn: () => string;
}

export function warehouseOf(division: Division): string {
  return `${division.divi.slice(0, 1)}01`;
}

/** Receipts for a line: one to three partial receipts adding up to what arrived. */
function receiptsFor(
  ctx: PoContext,
  orqa: number,
  state: ReceiptState,
  pudt: string,
  whlo: string,
): ReceiptRec[] {
  if (state === "none") return [];
  const total =
    state === "full" ? orqa : Math.max(1, Math.floor((orqa * ctx.rng.int(30, 80)) / 100));
  const parts = Math.min(total, ctx.rng.int(1, 3));
  const receipts: ReceiptRec[] = [];
  let left = total;
  for (let p = 0; p < parts; p++) {
    const qty = p === parts - 1 ? left : Math.max(1, Math.floor(total / parts));
    left -= qty;
    const trdt = addDays(pudt, Math.min(p * 3 + ctx.rng.int(1, 4), 59));
    const date = earlierOf(trdt, ctx.today);
    receipts.push({
      repn: ctx.nextRepn(),
      pnlx: 0,
      trdt: date,
      tihm: String(ctx.rng.int(6, 17) * 100 + ctx.rng.int(0, 59)).padStart(4, "0"),
      rpqa: String(qty),
      whlo,
      rgdt: date,
      lmdt: date,
    });
  }
  return receipts;
}

function lineStatus(state: ReceiptState): string {
  return state === "full" ? "75" : state === "partial" ? "50" : "20";
}

const PRICED_PER_HUNDRED = new Set(["BOLT-M8", "NUT-M8"]);

export function makePoLine(
  ctx: PoContext,
  pnli: number,
  state: ReceiptState,
  pudt: string,
  whlo: string,
  dwdt: string,
): PoLineRec {
  const [itno, itds] = ctx.rng.pick(ITEMS);
  const orqa = ctx.rng.int(5, 200);
  const receipts = receiptsFor(ctx, orqa, state, pudt, whlo);
  const rvqa = receipts.reduce((sum, r) => sum + Number(r.rpqa), 0);
  const lmdt = receipts.reduce((max, r) => laterOf(r.lmdt, max), pudt);
  return {
    pnli,
    pnls: 0,
    itno,
    itds,
    orqa: String(orqa),
    rvqa: String(rvqa),
    ivqa: "0",
    pupr: formatMinor(BigInt(ctx.rng.int(100, 50_000))),
    // Small parts are priced per 100 pieces (PUCD 100), as M3 lets a PO line price per N units.
    pucd: PRICED_PER_HUNDRED.has(itno) ? "100" : "1",
    puun: "PCS",
    ppun: "PCS",
    pust: lineStatus(state),
    pusl: lineStatus(state),
    dwdt,
    rgdt: pudt,
    lmdt,
    receipts,
  };
}

export function makePo(
  ctx: PoContext,
  puno: string,
  division: Division,
  supplier: SupplierRec,
  states: ReceiptState[],
): PoRec {
  const pudt = addDays(ctx.today, -ctx.rng.int(10, 60));
  const dwdt = addDays(pudt, ctx.rng.int(7, 21));
  const whlo = warehouseOf(division);
  const lines = states.map((state, index) =>
    makePoLine(ctx, (index + 1) * 10, state, pudt, whlo, dwdt),
  );
  const statuses = lines.map((l) => l.pust).sort();
  return {
    cono: division.cono,
    divi: division.divi,
    puno,
    suno: supplier.suno,
    pudt,
    dwdt,
    cucd: supplier.cucd,
    buye: ctx.rng.pick(BUYERS),
    faci: `${division.divi.slice(0, 1)}01`,
    whlo,
    orty: "PP1",
    pusl: statuses[0] ?? "20",
    pust: statuses[statuses.length - 1] ?? "20",
    ait2: ctx.rng.pick(COST_CENTERS)[0],
    rgdt: pudt,
    lmdt: lines.reduce((max, l) => laterOf(l.lmdt, max), pudt),
    chid: "BUYER01",
    lines,
  };
}

/** A random mix of line receipt states (mostly fully received). */
export function randomStates(rng: Rng): ReceiptState[] {
  const count = rng.int(1, 4);
  const states: ReceiptState[] = [];
  for (let i = 0; i < count; i++) {
    const r = rng.next();
    states.push(r < 0.6 ? "full" : r < 0.85 ? "partial" : "none");
  }
  return states;
}
