import type { Logger } from "pino";
import type { Alert } from "../alerts/alert.ts";
import { type PurchaseOrder, recordKey, type SupplierInvoice } from "../infor/records.ts";
import type { MatchPolicy } from "../rules/match-policy.ts";
import type { RoutingPolicy } from "../rules/routing.ts";
import { type ApprovalDeps, applyPlan } from "./apply-plan.ts";
import type { InvoiceIndex } from "./invoice-index.ts";
import { type PipelineKeys, poToken } from "./keys.ts";
import { dependencyTokens, planInvoice, poNumbersOf } from "./plan.ts";
import type { ApprovalClose, StateStore, StateWrite } from "./state-store.ts";
import type { InvoiceScope, InvoiceState, MatchLookups, VersionedState } from "./types.ts";

/**
 * One invoice, evaluated: read its POs and the supplier's other invoices, plan against the stored
 * state, build the alerts (creating approvals) and the state write. Nothing is committed here.
 */
export interface Target {
  readonly invoice: SupplierInvoice;
  readonly invoiceKey: string;
  /** The trigger itself: its duplicates in the ERP are looked up too. */
  readonly isTrigger: boolean;
}

export interface Evaluation {
  readonly write: StateWrite;
  readonly alerts: Alert[];
  readonly closes: ApprovalClose[];
}

export type PoSlot = PurchaseOrder | "missing" | "invalid";

/** Reads shared by the evaluations of one trigger (a PO change may touch many invoices). */
export interface RunCache {
  readonly pos: Map<string, PoSlot>;
  /** Supplier index key → the supplier's indexed invoices. */
  readonly invoices: Map<string, SupplierInvoice[]>;
  /** Invoice key → its state as read in the trigger's first round trip; each taken once. */
  readonly states: Map<string, VersionedState>;
}

export function newRunCache(states?: ReadonlyMap<string, VersionedState>): RunCache {
  return { pos: new Map(), invoices: new Map(), states: new Map(states) };
}

export interface EvaluatorDeps extends ApprovalDeps {
  readonly lookups: MatchLookups;
  readonly matchPolicy: MatchPolicy;
  readonly routingPolicy: RoutingPolicy;
  readonly store: StateStore;
  readonly index: InvoiceIndex;
  readonly keys: PipelineKeys;
  readonly clock: () => Date;
  readonly log: Logger;
  /** POs read ahead for the page being delivered (the tracker's `withBatch`), by PO token. */
  readonly prefetched?: () => ReadonlyMap<string, PoSlot> | undefined;
}

export function createEvaluator(o: EvaluatorDeps) {
  const { store, index, keys, clock, log } = o;

  async function purchaseOrders(
    invoice: SupplierInvoice,
    run: RunCache,
  ): Promise<PurchaseOrder[] | undefined> {
    const out: PurchaseOrder[] = [];
    for (const number of poNumbersOf(invoice)) {
      const token = poToken(invoice.tenant, invoice.company, number);
      let slot = run.pos.get(token) ?? o.prefetched?.()?.get(token);
      if (slot === undefined) {
        const found = await o.lookups.getPurchaseOrder(scopeOf(invoice), number);
        slot = found.records[0] ?? (found.rejects.length > 0 ? "invalid" : "missing");
        run.pos.set(token, slot);
      }
      // A PO that failed validation is not a missing PO: judging without it would post a false
      // "PO not found". The invoice is left as it was until the PO reads cleanly.
      if (slot === "invalid") return undefined;
      if (slot !== "missing") out.push(slot);
    }
    return out;
  }

  async function otherInvoices(target: Target, run: RunCache): Promise<SupplierInvoice[]> {
    const { invoice } = target;
    if (target.isTrigger && o.lookups.findInvoices) {
      const found = await o.lookups.findInvoices(
        scopeOf(invoice),
        invoice.supplierId,
        invoice.invoiceNumber,
      );
      for (const other of found.records) {
        if (recordKey(other) !== target.invoiceKey) await index.remember(other);
      }
    }
    const key = keys.supplierInvoices(invoice.tenant, invoice.company, invoice.supplierId);
    let all = target.isTrigger ? undefined : run.invoices.get(key);
    if (!all) {
      all = await index.all(invoice);
      run.invoices.set(key, all);
    }
    return all.filter((i) => recordKey(i) !== target.invoiceKey);
  }

  async function evaluate(
    target: Target,
    run: RunCache,
    shadow: boolean,
  ): Promise<Evaluation | undefined> {
    const { invoice, invoiceKey } = target;
    const read = run.states.get(invoiceKey);
    run.states.delete(invoiceKey);
    const { rev, state: previous } = read ?? (await store.load(invoiceKey));
    const pos = await purchaseOrders(invoice, run);
    if (!pos) {
      log.warn({ invoiceKey }, "purchase order failed validation; invoice not evaluated");
      return undefined;
    }
    const plan = planInvoice({
      invoice,
      purchaseOrders: pos,
      otherInvoices: await otherInvoices(target, run),
      previous,
      matchPolicy: o.matchPolicy,
      routingPolicy: o.routingPolicy,
    });
    const { alerts, closes, open, resolved, docs } = await applyPlan(
      plan,
      invoice,
      clock(),
      o,
      shadow,
      previous ?? {},
    );
    const keep = open.length > 0 || previous !== undefined;
    const next: InvoiceState | undefined = keep
      ? {
          invoice,
          open,
          occurrences: plan.occurrences,
          deps: dependencyTokens(invoice, open),
          ...(resolved.length > 0 ? { resolved } : {}),
          ...(docs.length > 0 ? { docs } : {}),
        }
      : undefined;
    return {
      write: { invoiceKey, expectedRev: rev, next, previousDeps: previous?.deps ?? [] },
      alerts,
      closes,
    };
  }

  return evaluate;
}

export type Evaluate = ReturnType<typeof createEvaluator>;

export function scopeOf(invoice: SupplierInvoice): InvoiceScope {
  return { tenant: invoice.tenant, company: invoice.company, division: invoice.division };
}
