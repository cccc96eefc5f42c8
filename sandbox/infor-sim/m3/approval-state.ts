import type { InvoiceRec, TenantData } from "../data/model.ts";

/**
 * Approval bookkeeping the generated data does not hold: M3's change number per batch (CHNO, what
 * `XUP0001` compares), the rejection fields, the approval-flow tasks (CMS740/742, sim choice) and a
 * log of every decision M3 applied, so tests and the chaos run can count double decisions.
 * Kept beside the data (WeakMap) so a data reset starts a fresh ledger.
 */
export interface SimDecision {
  inbn: number;
  verb: "approve" | "reject" | "approve_line";
  line?: number;
  /** ERP user the decision was taken as (the MI caller's USID input, or the M3 user). */
  by: string;
  /** mi = through an MI call; m3 = "in M3" (control API, Infor's own apps). */
  via: "mi" | "m3";
  at: string;
  route: string;
}

export interface FlowTask {
  /** Authorized user who must decide (APCD). */
  user: string;
  status: "pending" | "approved" | "rejected";
  lines: Map<number, "pending" | "approved">;
  decidedBy?: string;
  reason?: string;
}

export interface ApprovalSimState {
  chno: Map<number, number>;
  rejection: Map<number, { scre: string; rejd: string; sda: [string, string, string] }>;
  approvedOn: Map<number, string>;
  /** Posted invoices already approved for payment through APS110MI. */
  paymentApproved: Set<number>;
  flow: Map<number, FlowTask>;
  decisions: SimDecision[];
  /** ERP users M3 refuses as approvers (no authority). */
  deniedUsers: Set<string>;
  /** Batches another M3 user saves while the next approve/reject runs (answers XUP0001). */
  changeNext: Set<number>;
  /** Drop the answer of the next N approve/reject calls after applying them (ambiguous timeout). */
  dropNext: number;
  /** Probability 0..1 that an approve/reject answer is dropped after it was applied. */
  dropRate: number;
  /** Set by a handler when this call's answer must be lost; read and cleared by the M3 router. */
  dropPending: boolean;
  random: () => number;
}

const states = new WeakMap<TenantData, ApprovalSimState>();

export function approvalState(data: TenantData): ApprovalSimState {
  let s = states.get(data);
  if (!s) {
    let seed = 0x2a17 ^ data.invoices.length;
    s = {
      chno: new Map(),
      rejection: new Map(),
      approvedOn: new Map(),
      paymentApproved: new Set(),
      flow: new Map(),
      decisions: [],
      deniedUsers: new Set(),
      changeNext: new Set(),
      dropNext: 0,
      dropRate: 0,
      dropPending: false,
      // Small seeded LCG: drops are reproducible run to run.
      random: () => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return seed / 0x1_0000_0000;
      },
    };
    states.set(data, s);
  }
  return s;
}

export function chnoOf(s: ApprovalSimState, inbn: number): number {
  return s.chno.get(inbn) ?? 1;
}

/** Every change to a batch bumps its change number, as M3's CHNO does. */
export function touch(data: TenantData, invoice: InvoiceRec, by: string): void {
  const s = approvalState(data);
  s.chno.set(invoice.inbn, chnoOf(s, invoice.inbn) + 1);
  invoice.lmdt = today();
  invoice.chid = by.slice(0, 10);
  data.version++;
}

/** After an approve/reject was applied: decide whether its answer is lost on the way back. */
export function maybeDrop(s: ApprovalSimState): void {
  if (s.dropNext > 0) {
    s.dropNext--;
    s.dropPending = true;
  } else if (s.dropRate > 0 && s.random() < s.dropRate) {
    s.dropPending = true;
  }
}

export function takeDrop(data: TenantData): boolean {
  const s = states.get(data);
  if (!s?.dropPending) return false;
  s.dropPending = false;
  return true;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10).replaceAll("-", "");
}

/**
 * The approval-flow task of a posted invoice (sim choice: every posted, unpaid supplier invoice
 * with an authorized user is in the flow, one task for that user, one line per invoice line).
 */
export function flowTask(data: TenantData, invoice: InvoiceRec): FlowTask | undefined {
  const s = approvalState(data);
  const hit = s.flow.get(invoice.inbn);
  if (hit) return hit;
  if (invoice.supa !== "90" || invoice.apcd.trim() === "" || invoice.payment) return undefined;
  const lines = new Map<number, "pending" | "approved">();
  const count = invoice.lines?.length ?? 1;
  for (let n = 1; n <= count; n++) lines.set(n, "pending");
  const task: FlowTask = { user: invoice.apcd.trim(), status: "pending", lines };
  s.flow.set(invoice.inbn, task);
  return task;
}
