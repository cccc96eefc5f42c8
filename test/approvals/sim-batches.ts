import type { InvoiceRec } from "../../sandbox/infor-sim/data/model.ts";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";

/**
 * Hands out the sim's unpaid invoice batches one at a time (never the same twice), each set to
 * the given kind and status; the data version moves so caches see the change.
 */
export function batchTaker(sim: () => InforSim): (over: Partial<InvoiceRec>) => InvoiceRec {
  let picked = 0;
  return (over) => {
    const data = sim().control.data();
    const inv = data.invoices.filter((i) => !i.payment)[picked++];
    if (!inv) throw new Error("the sim ran out of invoices");
    Object.assign(inv, over);
    data.version++;
    return inv;
  };
}
