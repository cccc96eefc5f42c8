import type { Redis } from "ioredis";
import pino, { type Logger } from "pino";
import { type Alert, hashParts } from "../delivery/alert.ts";
import { type PurchaseOrder, recordKey, type SupplierInvoice } from "../infor/records.ts";
import type { MatchPolicy } from "../rules/match-policy.ts";
import type { RoutingPolicy } from "../rules/routing.ts";
import type { ChangeEvent } from "../sync/sink.ts";
import { type ApprovalDeps, applyPlan } from "./apply-plan.ts";
import { PipelineError } from "./errors.ts";
import { createInvoiceIndex } from "./invoice-index.ts";
import { invoiceToken, pipelineKeys, poToken } from "./keys.ts";
import { dependencyTokens, planInvoice, poNumbersOf } from "./plan.ts";
import { type ApprovalClose, createStateStore, type StateWrite } from "./state-store.ts";
import type { InvoiceScope, InvoiceState, MatchLookups, OpenEntry } from "./types.ts";

/**
 * The I/O side of three-way matching. For each new or changed supplier invoice it loads the
 * purchase orders (lines, receipts) and the supplier's other invoices, runs the pure rules,
 * compares with the exceptions still open on the invoice and returns the alerts to send:
 * `exception.opened` for new ones (in the owning cost center's channel, with Approve / Reject /
 * Hold when a decision is needed), edits when an open one changed, `exception.resolved` when the
 * cause went away. A purchase order change (a receipt arrives) re-evaluates the invoices with
 * open exceptions on it, and an invoice change re-evaluates the invoices whose duplicate
 * exceptions point at it, so those resolve without waiting for the invoice itself to change.
 *
 * Exactly once: state (Redis, per invoice) is committed atomically with a memo of the alerts,
 * keyed by the trigger's record key and content version; the same trigger read again (restart
 * before the watermark moved) returns the same alerts, whose ids delivery dedupes.
 */
export interface ExceptionTrackerOptions extends ApprovalDeps {
  readonly redis: Redis;
  /** Key prefix shared with the rest of the app (e.g. "cs:"); tests pass a unique one. */
  readonly prefix: string;
  readonly lookups: MatchLookups;
  readonly matchPolicy: MatchPolicy;
  readonly routingPolicy: RoutingPolicy;
  /** Closes the approval of an exception that resolved by itself (approvals' `supersede`). */
  readonly closeApproval?: (approvalId: string, reason: string) => Promise<void>;
  readonly clock?: () => Date;
  readonly logger?: Logger;
  /** Untouched invoice states expire after this. Default 400 days (longer than delivery markers). */
  readonly stateTtlMs?: number;
  /** How long a trigger's alerts are kept for replays. Default 14 days. */
  readonly memoTtlMs?: number;
  /** Invoices kept per supplier for duplicate checks. Default 500. */
  readonly maxInvoicesPerSupplier?: number;
  /** Invoices re-evaluated per PO or invoice change at most. Default 500. */
  readonly maxDependents?: number;
}

export interface TriggerContext {
  /** Shadow mode: compute and return the alerts, store nothing, create no approval. */
  readonly shadow?: boolean;
}

export interface ExceptionTracker {
  /** Alerts for one change event (empty for entities that cannot affect a match). */
  onChange(event: ChangeEvent, context?: TriggerContext): Promise<Alert[]>;
  /** Exceptions open on an invoice (by its record key), oldest line first. */
  openExceptions(invoiceKey: string): Promise<OpenEntry[]>;
}

const DAY_MS = 86_400_000;
const ATTEMPTS = 4;

interface Target {
  readonly invoice: SupplierInvoice;
  readonly invoiceKey: string;
  /** The trigger itself: its duplicates in the ERP are looked up too. */
  readonly isTrigger: boolean;
}

interface Evaluation {
  readonly write: StateWrite;
  readonly alerts: Alert[];
  readonly closes: ApprovalClose[];
}

type PoSlot = PurchaseOrder | "missing" | "invalid";

/** Reads shared by the evaluations of one trigger (a PO change may touch many invoices). */
interface RunCache {
  readonly pos: Map<string, PoSlot>;
  /** Supplier index key → the supplier's indexed invoices. */
  readonly invoices: Map<string, SupplierInvoice[]>;
}

export function createExceptionTracker(o: ExceptionTrackerOptions): ExceptionTracker {
  const keys = pipelineKeys(o.prefix);
  const log = o.logger ?? pino({ level: "silent" });
  const clock = o.clock ?? (() => new Date());
  const store = createStateStore({
    redis: o.redis,
    keys,
    stateTtlMs: o.stateTtlMs ?? 400 * DAY_MS,
    memoTtlMs: o.memoTtlMs ?? 14 * DAY_MS,
  });
  const index = createInvoiceIndex({
    redis: o.redis,
    keys,
    maxPerSupplier: o.maxInvoicesPerSupplier ?? 500,
    ttlMs: o.stateTtlMs ?? 400 * DAY_MS,
  });
  const maxDependents = o.maxDependents ?? 500;

  async function dependentTargets(token: string, exclude: string): Promise<Target[]> {
    const all = (await store.dependents(token)).filter((k) => k !== exclude);
    if (all.length > maxDependents) {
      log.warn({ token, count: all.length, max: maxDependents }, "dependents capped");
    }
    const targets: Target[] = [];
    for (const invoiceKey of all.slice(0, maxDependents)) {
      const { state } = await store.load(invoiceKey);
      if (state) targets.push({ invoice: state.invoice, invoiceKey, isTrigger: false });
    }
    return targets;
  }

  async function purchaseOrders(
    invoice: SupplierInvoice,
    run: RunCache,
  ): Promise<PurchaseOrder[] | undefined> {
    const out: PurchaseOrder[] = [];
    for (const number of poNumbersOf(invoice)) {
      const token = poToken(invoice.tenant, invoice.company, number);
      let slot = run.pos.get(token);
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
    const { rev, state: previous } = await store.load(invoiceKey);
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
    const { alerts, closes, open } = await applyPlan(plan, invoice, clock(), o, shadow);
    const keep = open.length > 0 || previous !== undefined;
    const next: InvoiceState | undefined = keep
      ? {
          invoice,
          open,
          occurrences: plan.occurrences,
          deps: dependencyTokens(invoice, open),
        }
      : undefined;
    return {
      write: { invoiceKey, expectedRev: rev, next, previousDeps: previous?.deps ?? [] },
      alerts,
      closes,
    };
  }

  async function runCloses(closes: readonly ApprovalClose[]): Promise<void> {
    if (!o.closeApproval) return;
    for (const c of closes) await o.closeApproval(c.approvalId, c.reason);
  }

  async function targetsFor(event: ChangeEvent, run: RunCache): Promise<Target[]> {
    const record = event.record;
    if (record.entity === "supplier_invoice") {
      const invoiceKey = recordKey(record);
      return [
        { invoice: record, invoiceKey, isTrigger: true },
        ...(await dependentTargets(invoiceToken(invoiceKey), invoiceKey)),
      ];
    }
    if (record.entity === "purchase_order") {
      const token = poToken(record.tenant, record.company, record.number);
      run.pos.set(token, record);
      return dependentTargets(token, "");
    }
    return [];
  }

  return {
    async onChange(event, context = {}) {
      const { entity } = event.record;
      if (entity !== "supplier_invoice" && entity !== "purchase_order") return [];
      const shadow = context.shadow === true;
      const memoId = hashParts(["mx", event.recordKey, event.contentVersion]);
      const memo = shadow ? undefined : await store.getMemo(memoId);
      if (memo) {
        await runCloses(memo.closes);
        return [...memo.alerts];
      }
      if (event.record.entity === "supplier_invoice") await index.remember(event.record);
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const run: RunCache = { pos: new Map(), invoices: new Map() };
        const evaluations: Evaluation[] = [];
        for (const target of await targetsFor(event, run)) {
          const evaluation = await evaluate(target, run, shadow);
          if (evaluation) evaluations.push(evaluation);
        }
        const alerts = evaluations.flatMap((e) => e.alerts);
        const closes = evaluations.flatMap((e) => e.closes);
        const writes = evaluations
          .map((e) => e.write)
          .filter((w) => w.next !== undefined || w.expectedRev > 0);
        if (shadow) return alerts;
        if (writes.length === 0 && alerts.length === 0) return [];
        if (await store.commit(memoId, { alerts, closes }, writes)) {
          await runCloses(closes);
          return alerts;
        }
        log.debug(
          { recordKey: event.recordKey, attempt },
          "exception state moved; evaluating again",
        );
      }
      throw new PipelineError(
        "state_conflict",
        `exception state of ${event.recordKey} kept changing during ${ATTEMPTS} evaluations`,
      );
    },

    async openExceptions(invoiceKey) {
      return [...((await store.load(invoiceKey)).state?.open ?? [])];
    },
  };
}

function scopeOf(invoice: SupplierInvoice): InvoiceScope {
  return { tenant: invoice.tenant, company: invoice.company, division: invoice.division };
}
