import type { InforSim } from "../infor-sim/server.ts";

/**
 * Keeps the simulated ERP moving so the channels have something to say: every few seconds one
 * step of a small AP story: a clean three-way-matched invoice, an invoice priced above its PO (a
 * price variance waiting for a decision), an invoice for goods not yet received, and then that
 * receipt arriving (which resolves the exception in place). Steps use the simulator's control
 * API, as a person entering documents in M3 would.
 */
export interface Story {
  /** Touch the built-in exception cases and add a first invoice: the first poll finds them. */
  kickoff(): void;
  /** Runs one step every `everyMs` until stopped. */
  start(everyMs: number): void;
  stop(): void;
  /** Steps run so far, for tests. */
  readonly steps: string[];
}

type Control = InforSim["control"];

interface Ctx {
  control: Control;
  tenant: string;
  supplier: (i: number) => string;
  n: number;
  awaitingReceipt: { puno: string; qty: string }[];
}

function newPo(ctx: Ctx, cc: string, qty: string, price: string): string {
  const po = ctx.control.upsert("po", { SUNO: ctx.supplier(ctx.n), AIT2: cc }, ctx.tenant) as {
    puno: string;
  };
  ctx.control.upsert("poLine", { PUNO: po.puno, PNLI: 10, ORQA: qty, PUPR: price }, ctx.tenant);
  return po.puno;
}

function receive(ctx: Ctx, puno: string, qty: string): void {
  ctx.control.upsert("receipt", { PUNO: puno, PNLI: 10, RPQA: qty }, ctx.tenant);
}

function invoice(ctx: Ctx, o: { puno: string; cc: string; qty: string; price: string }): void {
  const amount = (Number(o.qty) * Number(o.price)).toFixed(2);
  const inv = ctx.control.upsert(
    "invoice",
    {
      SUNO: ctx.supplier(ctx.n),
      SINO: `DEMO-${Date.now().toString(36).toUpperCase()}-${ctx.n}`,
      CUAM: amount,
      PUNO: o.puno,
      AIT2: o.cc,
    },
    ctx.tenant,
  ) as { inbn: number };
  ctx.control.upsert(
    "invoiceLine",
    {
      INBN: inv.inbn,
      TRNO: 1,
      PUNO: o.puno,
      PNLI: 10,
      IVQA: o.qty,
      GRPR: o.price,
      NLAM: amount,
    },
    ctx.tenant,
  );
}

const STEPS: { name: string; run: (ctx: Ctx) => void }[] = [
  {
    name: "clean invoice (CC100)",
    run: (ctx) => {
      const puno = newPo(ctx, "CC100", "5", "120.00");
      receive(ctx, puno, "5");
      invoice(ctx, { puno, cc: "CC100", qty: "5", price: "120.00" });
    },
  },
  {
    name: "price variance (CC100)",
    run: (ctx) => {
      const puno = newPo(ctx, "CC100", "10", "48.00");
      receive(ctx, puno, "10");
      invoice(ctx, { puno, cc: "CC100", qty: "10", price: "52.90" });
    },
  },
  {
    name: "invoice before the goods (CC200)",
    run: (ctx) => {
      const puno = newPo(ctx, "CC200", "4", "310.00");
      invoice(ctx, { puno, cc: "CC200", qty: "4", price: "310.00" });
      ctx.awaitingReceipt.push({ puno, qty: "4" });
    },
  },
  {
    name: "receipt arrives",
    run: (ctx) => {
      const next = ctx.awaitingReceipt.shift();
      if (next) receive(ctx, next.puno, next.qty);
    },
  },
  {
    name: "price variance (CC200)",
    run: (ctx) => {
      const puno = newPo(ctx, "CC200", "2", "1450.00");
      receive(ctx, puno, "2");
      invoice(ctx, { puno, cc: "CC200", qty: "2", price: "1525.00" });
    },
  },
];

export function createStory(sim: InforSim, onError: (err: unknown) => void): Story {
  const data = sim.control.data(sim.tenant) as { suppliers: { cono: number; suno: string }[] };
  const suppliers = data.suppliers.filter((s) => s.cono === 100).map((s) => s.suno);
  const ctx: Ctx = {
    control: sim.control,
    tenant: sim.tenant,
    supplier: (i) => suppliers[i % suppliers.length] ?? "3000001",
    n: 0,
    awaitingReceipt: [],
  };
  const steps: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const step = () => {
    const s = STEPS[ctx.n % STEPS.length];
    ctx.n += 1;
    if (!s) return;
    try {
      s.run(ctx);
      steps.push(s.name);
    } catch (err) {
      onError(err);
    }
  };
  return {
    steps,
    kickoff() {
      // The seeded exception cases are history (older than firstRun.since): touching them
      // makes them today's changes, so the first poll posts them.
      const scenarios = sim.control.scenarios(sim.tenant);
      for (const inbn of [...scenarios.priceVariance, ...scenarios.missingReceipt]) {
        sim.control.upsert("invoice", { INBN: inbn }, sim.tenant);
      }
      step();
    },
    start(everyMs) {
      timer = setInterval(step, everyMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
