import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import type { Rng } from "./random.ts";

/** One invoice the run creates: its supplier invoice number is how it is found in Slack. */
export interface InjectedInvoice {
  number: string;
  costCenter: string | undefined;
  /** Created with a field the canonical schema refuses: expected in quarantine, not in Slack. */
  malformed: boolean;
}

// "" = no cost center: the invoice goes to the default channel.
const COST_CENTERS = ["CC1", "CC2", "CC3", "CC4", "CC5", ""];

/**
 * Invoice `n` of run `tag`: a cost invoice (no PO, so no three-way match) awaiting nothing, with
 * a unique number `<tag>-<n>` and an exact decimal amount. Every `malformedEvery`-th one carries
 * an impossible invoice date, which the mapper must send to quarantine.
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
  const fields: Record<string, unknown> = {
    SUNO: `300000${1 + (n % 5)}`,
    SINO: number,
    CUAM: `${100 + (n % 900)}.${cents}`,
    CUCD: "EUR",
    DIVI: "AAA",
    SUPA: "00",
    IBTP: "20",
    AIT1: "4010",
    ...(costCenter ? { AIT2: costCenter } : {}),
    ...(malformed ? { IVDT: "20261399" } : {}),
  };
  return { fields, invoice: { number, costCenter, malformed } };
}

/**
 * Create `count` invoices in the simulator spread evenly over `overMs`, in small slices, so the
 * polls see a steady stream while the faults happen. Resolves with everything created.
 */
export async function injectInvoices(o: {
  sim: InforSim;
  tag: string;
  count: number;
  overMs: number;
  rng: Rng;
  malformedEvery: number;
  stopped: () => boolean;
}): Promise<InjectedInvoice[]> {
  const out: InjectedInvoice[] = [];
  const slices = Math.max(1, Math.round(o.overMs / 250));
  const perSlice = Math.ceil(o.count / slices);
  const start = Date.now();
  for (let s = 0; s < slices && out.length < o.count && !o.stopped(); s++) {
    const due = start + (s * o.overMs) / slices;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (let i = 0; i < perSlice && out.length < o.count; i++) {
      const { fields, invoice } = invoiceFields(o.tag, out.length, o.rng, o.malformedEvery);
      await o.sim.control.upsert("invoice", fields);
      out.push(invoice);
    }
  }
  return out;
}
