import { formatMinor, lineAmount, parseMinor, percentOf } from "./amounts.ts";
import { APPROVERS, CLERKS, COST_ACCOUNTS, COST_CENTERS, GOODS_ACCOUNT } from "./catalog.ts";
import { addDays, earlierOf } from "./dates.ts";
import type { Division, InvoiceLineRec, InvoiceRec, PoRec, SupplierRec } from "./model.ts";
import type { Rng } from "./rng.ts";

export interface InvoiceContext {
  rng: Rng;
  today: string;
  next: { inbn: number; jrno: number; vono: number };
}

/**
 * Invoice batch status codes (SUPA) as APS450 lists them: 10 New, 15 Validated with errors,
 * 20 Validated, 30 Printed, 40 Not approved, 41-43 Adjusted, 50 Approved, 78 Invoice matching
 * recoding failed, 79 Invoice matching failed, 90 Updated in APL.
 */
export type InvoiceStage =
  | "10"
  | "15"
  | "20"
  | "30"
  | "40"
  | "41"
  | "42"
  | "43"
  | "50"
  | "78"
  | "79"
  | "90";

export interface PoInvoiceTweak {
  /** Percent added to the PO price on every line (price variance). */
  pricePlusPercent?: number;
  /** Quantity added on top of what was received (quantity over receipt). */
  extraQuantity?: number;
  /** Invoice ordered quantity even for lines without receipts (missing receipt). */
  invoiceUnreceived?: boolean;
  currency?: string;
}

function header(
  ctx: InvoiceContext,
  division: Division,
  supplier: SupplierRec,
  ivdt: string,
  netMinor: bigint,
): InvoiceRec {
  const vat = percentOf(netMinor, BigInt(division.vatPercent));
  const today = ctx.today;
  const rgdt = addDays(ivdt, ctx.rng.int(0, 2));
  const registered = earlierOf(rgdt, today);
  const inbn = ctx.next.inbn++;
  return {
    cono: division.cono,
    divi: division.divi,
    inbn,
    ibtp: "20",
    supa: "10",
    rejd: "",
    scre: "",
    bist: "0",
    suno: supplier.suno,
    spyn: supplier.suno,
    sino: `F${String(100000 + inbn)}`,
    ivdt,
    dudt: addDays(ivdt, Number(supplier.tepy) || 30),
    acdt: registered,
    cucd: supplier.cucd,
    cuam: formatMinor(netMinor + vat),
    vtam: formatMinor(vat),
    puno: "",
    apcd: ctx.rng.pick(APPROVERS),
    tepy: supplier.tepy,
    ait1: ctx.rng.pick(COST_ACCOUNTS),
    ait2: ctx.rng.pick(COST_CENTERS)[0],
    yea4: 0,
    jrno: 0,
    vser: "",
    vono: 0,
    rgdt: registered,
    lmdt: registered,
    chid: ctx.rng.pick(CLERKS),
  };
}

/** A cost invoice without PO: its one cost line is derived from the header when read. */
export function costInvoice(
  ctx: InvoiceContext,
  division: Division,
  supplier: SupplierRec,
  credit = false,
): InvoiceRec {
  const net = BigInt(ctx.rng.int(1_000, 2_000_000));
  const ivdt = addDays(ctx.today, -ctx.rng.int(0, 60));
  return header(ctx, division, supplier, ivdt, credit ? -net : net);
}

/** A PO-matched invoice: one line per received PO line, at the PO price unless tweaked. */
export function poInvoice(
  ctx: InvoiceContext,
  division: Division,
  supplier: SupplierRec,
  po: PoRec,
  tweak: PoInvoiceTweak = {},
): InvoiceRec | undefined {
  const lines: InvoiceLineRec[] = [];
  let net = 0n;
  const ivdt = addDays(po.pudt, ctx.rng.int(3, 9));
  const date = earlierOf(ivdt, ctx.today);
  for (const line of po.lines) {
    const received = Number(line.rvqa);
    if (received === 0 && !tweak.invoiceUnreceived) continue;
    const quantity = (received === 0 ? Number(line.orqa) : received) + (tweak.extraQuantity ?? 0);
    const basePrice = parseMinor(line.pupr);
    const price = basePrice + percentOf(basePrice, BigInt(tweak.pricePlusPercent ?? 0));
    // The price is per PUCD units, as on the PO line.
    const amount = lineAmount(String(quantity), price) / (BigInt(line.pucd.trim() || "1") || 1n);
    net += amount;
    lines.push({
      trno: lines.length + 1,
      rdtp: "1",
      puno: po.puno,
      pnli: line.pnli,
      pnls: line.pnls,
      itno: line.itno,
      ivqa: String(quantity),
      puun: line.puun,
      ppun: line.ppun,
      pucd: line.pucd,
      grpr: formatMinor(price),
      nlam: formatMinor(amount),
      ait1: GOODS_ACCOUNT,
      ait2: po.ait2,
      rgdt: date,
      lmdt: date,
    });
  }
  if (lines.length === 0) return undefined;
  const invoice = header(ctx, division, supplier, date, net);
  invoice.puno = po.puno;
  invoice.ait2 = po.ait2;
  invoice.cucd = tweak.currency ?? po.cucd;
  invoice.lines = lines.map((l) => ({ ...l, rgdt: invoice.rgdt, lmdt: invoice.rgdt }));
  return invoice;
}

/** Moves an invoice to a stage; posting (90) gives it a voucher, and maybe a payment. */
export function setStage(
  ctx: InvoiceContext,
  invoice: InvoiceRec,
  stage: InvoiceStage,
  pay = false,
): void {
  invoice.supa = stage;
  if (stage !== "90") return;
  invoice.yea4 = Number(invoice.acdt.slice(0, 4));
  invoice.jrno = ctx.next.jrno++;
  invoice.vono = ctx.next.vono++;
  invoice.vser = "AP";
  const changed = addDays(invoice.acdt, ctx.rng.int(0, 3));
  invoice.lmdt = earlierOf(changed, ctx.today);
  if (!pay) return;
  const paid = addDays(invoice.acdt, ctx.rng.int(5, 30));
  if (paid > ctx.today) return;
  invoice.payment = {
    acdt: paid,
    jrno: ctx.next.jrno++,
    vono: ctx.next.vono++,
    pyme: "BT",
    cuam: formatMinor(-parseMinor(invoice.cuam)),
    rgdt: paid,
    lmdt: paid,
  };
  invoice.lmdt = paid;
}

/**
 * Picks a stage for a generated invoice: in entry (10/15/20/30), not approved (40), approved
 * (50), matching failed (78/79) or updated in APL (90, half of them paid). One draw decides, so
 * the rest of the generated data does not move when the split changes.
 */
export function randomStage(rng: Rng): { stage: InvoiceStage; pay: boolean } {
  const r = rng.next();
  const bands: [number, InvoiceStage][] = [
    [0.1, "10"],
    [0.15, "15"],
    [0.22, "20"],
    [0.25, "30"],
    [0.45, "40"],
    [0.52, "50"],
    [0.535, "78"],
    [0.55, "79"],
  ];
  for (const [upTo, stage] of bands) if (r < upTo) return { stage, pay: false };
  return { stage: "90", pay: rng.chance(0.5) };
}
