import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import type { LedgerKind } from "./compare.ts";
import type { InjectedInvoice } from "./inject.ts";

/** The alerts a follow-up must cause, after the invoice's record and exception were posted. */
export const FOLLOW_UP_ALERTS: Readonly<Record<"update" | "reject", LedgerKind[]>> = {
  // A new amount: the record alert edits the invoice's message; the "No po" exception's amount
  // at stake changed, so its message is edited too. Each edit is threaded.
  update: ["record.updated", "exception.changed"],
  // Rejected in M3 (REJD set): the record alert edits the message; the exception resolves.
  reject: ["record.updated", "exception.resolved"],
};

/**
 * Apply each planned follow-up once both messages of its invoice are in Slack (so the app has
 * seen the first version and the expectation is exact: an edit and a thread reply each, never
 * a first post that already carries the change). Resolves with the invoices followed up when
 * all are done or `stopped()` says so; polls `visible` about every half second.
 */
export async function runFollowUps(o: {
  sim: InforSim;
  invoices: readonly InjectedInvoice[];
  injectionDone: () => boolean;
  /** Invoice numbers whose record and exception messages are both in Slack. */
  visible: () => ReadonlySet<string>;
  stopped: () => boolean;
}): Promise<Set<string>> {
  const done = new Set<string>();
  for (;;) {
    const shown = o.visible();
    for (const inv of o.invoices) {
      if (!inv.followUp || done.has(inv.number) || !shown.has(inv.number)) continue;
      if (inv.inbn === undefined) throw new Error(`${inv.number}: no INBN to change it by`);
      const n = Number(inv.number.split("-").at(-1));
      if (inv.followUp === "update") {
        o.sim.control.upsert("invoice", { INBN: String(inv.inbn), CUAM: `${1_000 + n}.50` });
      } else {
        o.sim.control.upsert("invoice", { INBN: String(inv.inbn), REJD: simToday(o.sim) });
      }
      done.add(inv.number);
    }
    const planned = o.invoices.filter((i) => i.followUp).length;
    if ((o.injectionDone() && done.size >= planned) || o.stopped()) return done;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The simulator's current date as M3 writes dates (YYYYMMDD). */
function simToday(sim: InforSim): string {
  return sim.control.now().toISOString().slice(0, 10).replaceAll("-", "");
}
