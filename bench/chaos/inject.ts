import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import type { Rng } from "../../sandbox/support/random.ts";

/** One invoice the run creates: its supplier invoice number is how it is found in Slack. */
export interface InjectedInvoice {
  number: string;
  costCenter: string | undefined;
  /** Created with a field the canonical schema refuses: expected in quarantine, not in Slack. */
  malformed: boolean;
  /**
   * Changed once its messages are in Slack (followups.ts): a new amount (its record and its
   * exception are edited and threaded) or a rejection (record edited, exception resolved).
   */
  followUp?: "update" | "reject";
  /** The simulator's invoice batch number (INBN): how a later change finds it. */
  inbn?: number;
}

/** Every FOLLOW_UP_EVERY-th invoice gets an update, another every FOLLOW_UP_EVERY-th a rejection. */
export const FOLLOW_UP_EVERY = 20;

// "" = no cost center: the invoice goes to the default channel.
const COST_CENTERS = ["CC1", "CC2", "CC3", "CC4", "CC5", ""];
/**
 * The simulator's three divisions (sandbox/infor-sim/data/catalog.ts) and their suppliers: each
 * division is its own poll key, so three polls run side by side on different workers.
 */
const DIVISIONS = [
  { divi: "AAA", supplierBase: 3000001 },
  { divi: "BBB", supplierBase: 3000001 },
  { divi: "CCC", supplierBase: 4000001 },
];

/**
 * Invoice `n` of run `tag`: a cost invoice (no PO: the match pipeline raises its "No po" exception), with
 * a unique number `<tag>-<n>` and an exact decimal amount. Every `malformedEvery`-th one carries
 * a currency the canonical schema refuses, which sync must send to quarantine.
 */
export function invoiceFields(
  tag: string,
  n: number,
  rng: Rng,
  malformedEvery: number,
): { fields: Record<string, unknown>; invoice: InjectedInvoice } {
  const costCenter = rng.pick(COST_CENTERS) || undefined;
  const number = `${tag}-${n}`;
  const malformed = malformedEvery > 0 && n % malformedEvery === malformedEvery - 1;
  const cents = String(n % 100).padStart(2, "0");
  const division = DIVISIONS[n % DIVISIONS.length] ?? { divi: "AAA", supplierBase: 3000001 };
  const fields: Record<string, unknown> = {
    SUNO: String(division.supplierBase + (n % 5)),
    SINO: number,
    // Unique per invoice: equal amounts from one supplier would raise "duplicate amount"
    // exceptions that name two invoices.
    CUAM: `${100 + n}.${cents}`,
    DIVI: division.divi,
    SUPA: "00",
    IBTP: "20",
    AIT1: "4010",
    ...(costCenter ? { AIT2: costCenter } : {}),
    // Not an ISO 4217 code: the canonical money schema refuses it. (An amount with a thousands
    // separator would be the obvious choice, but the simulator answers EXPORTMI with 500 then.)
    ...(malformed ? { CUCD: "EURO" } : {}),
  };
  const slot = n % FOLLOW_UP_EVERY;
  const followUp = malformed
    ? undefined
    : slot === 5
      ? "update"
      : slot === 15
        ? "reject"
        : undefined;
  return { fields, invoice: { number, costCenter, malformed, ...(followUp ? { followUp } : {}) } };
}

/**
 * Create `count` invoices in the simulator spread evenly over `overMs`, in small slices, so the
 * polls see a steady stream while the faults happen. The simulator's clock starts `days - 1`
 * days back and moves one day forward `days - 1` times on the way: the records span several
 * ERP days, as a day's worth of ERP traffic would, instead of all landing on one change date
 * (M3 change dates are date-only, so every poll re-reads the whole of the watermark's day).
 * Resolves with everything created.
 */
export async function injectInvoices(o: {
  sim: InforSim;
  tag: string;
  count: number;
  overMs: number;
  days: number;
  rng: Rng;
  malformedEvery: number;
  stopped: () => boolean;
  /** Filled as invoices are created (the follow-ups run while this is still going). */
  out?: InjectedInvoice[];
}): Promise<InjectedInvoice[]> {
  const out: InjectedInvoice[] = o.out ?? [];
  const slices = Math.max(1, Math.round(o.overMs / 250));
  const perSlice = Math.ceil(o.count / slices);
  const slicesPerDay = Math.ceil(slices / Math.max(1, o.days));
  const start = Date.now();
  for (let s = 0; s < slices && out.length < o.count && !o.stopped(); s++) {
    const due = start + (s * o.overMs) / slices;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (s > 0 && s % slicesPerDay === 0) o.sim.control.advanceClock(86_400);
    for (let i = 0; i < perSlice && out.length < o.count; i++) {
      const { fields, invoice } = invoiceFields(o.tag, out.length, o.rng, o.malformedEvery);
      const rec = (await o.sim.control.upsert("invoice", fields)) as { inbn?: number };
      out.push(typeof rec?.inbn === "number" ? { ...invoice, inbn: rec.inbn } : invoice);
    }
  }
  return out;
}
