import type { Redis } from "ioredis";
import pino, { type Logger } from "pino";
import type { ApprovalSubject } from "../approvals/types.ts";
import { type Alert, hashParts } from "../delivery/alert.ts";
import { type PurchaseOrder, recordKey, type SupplierInvoice } from "../infor/records.ts";
import type { MatchPolicy } from "../rules/match-policy.ts";
import type { RoutingPolicy } from "../rules/routing.ts";
import type { ChangeEvent } from "../sync/sink.ts";
import { openedAlert, resolvedAlert } from "./alerts.ts";
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
export interface ExceptionTrackerOptions {
  readonly redis: Redis;
  /** Key prefix shared with the rest of the app (e.g. "cs:"); tests pass a unique one. */
  readonly prefix: string;
  readonly lookups: MatchLookups;
  readonly matchPolicy: MatchPolicy;
  readonly routingPolicy: RoutingPolicy;
  /** Creates (idempotently per alert id) the pending approval behind the buttons. */
  readonly createPending?: (subject: ApprovalSubject) => Promise<{ id: string }>;
  /** Closes the approval of an exception that resolved by itself (approvals' `supersede`). */
  readonly closeApproval?: (approvalId: string, reason: string) => Promise<void>;
  /** ERP user → Slack user (routing.yml `erpUsers`), for segregation of duties on approvals. */
  readonly erpUsers?: Readonly<Record<string, string>>;
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
    cache: Map<string, PoSlot>,
  ): Promise<PurchaseOrder[] | undefined> {
    const out: PurchaseOrder[] = [];
    for (const number of poNumbersOf(invoice)) {
      const token = poToken(invoice.tenant, invoice.company, number);
      let slot = cache.get(token);
      if (slot === undefined) {
        const found = await o.lookups.getPurchaseOrder(scopeOf(invoice), number);
        slot = found.records[0] ?? (found.rejects.length > 0 ? "invalid" : "missing");
        cache.set(token, slot);
      }
      // A PO that failed validation is not a missing PO: judging without it would post a false
      // "PO not found". The invoice is left as it was until the PO reads cleanly.
      if (slot === "invalid") return undefined;
      if (slot !== "missing") out.push(slot);
    }
    return out;
  }

  async function otherInvoices(target: Target): Promise<SupplierInvoice[]> {
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
    return index.others(invoice);
  }

  async function evaluate(
    target: Target,
    cache: Map<string, PoSlot>,
    shadow: boolean,
  ): Promise<Evaluation | undefined> {
    const { invoice, invoiceKey } = target;
    const { rev, state: previous } = await store.load(invoiceKey);
    const pos = await purchaseOrders(invoice, cache);
    if (!pos) {
      log.warn({ invoiceKey }, "purchase order failed validation; invoice not evaluated");
      return undefined;
    }
    const plan = planInvoice({
      invoice,
      purchaseOrders: pos,
      otherInvoices: await otherInvoices(target),
      previous,
      matchPolicy: o.matchPolicy,
      routingPolicy: o.routingPolicy,
    });
    const createdAt = clock();
    const alerts: Alert[] = [];
    const closes: ApprovalClose[] = [];
    const open: OpenEntry[] = [...plan.unchanged];
    for (const action of plan.actions) {
      if (action.type === "open") {
        const base = {
          exception: action.exception,
          invoice,
          channel: action.channel,
          occurrence: action.occurrence,
          update: 0,
          createdAt,
        };
        let alert = openedAlert(base);
        let approvalId: string | undefined;
        if (action.exception.needsDecision && o.createPending && !shadow) {
          approvalId = (await o.createPending(approvalSubject(alert, action.exception, invoice)))
            .id;
          alert = openedAlert({ ...base, approvalId });
        }
        alerts.push(alert);
        open.push({
          exception: action.exception,
          channel: action.channel,
          occurrence: action.occurrence,
          update: 0,
          alertId: alert.id,
          ...(approvalId ? { approvalId } : {}),
        });
      } else if (action.type === "update") {
        const prev = action.previous;
        const update = prev.update + 1;
        const alert = openedAlert({
          exception: action.exception,
          previous: prev.exception,
          invoice,
          channel: prev.channel,
          occurrence: prev.occurrence,
          update,
          ...(prev.approvalId ? { approvalId: prev.approvalId } : {}),
          createdAt,
        });
        alerts.push(alert);
        open.push({ ...prev, exception: action.exception, update, alertId: alert.id });
      } else {
        alerts.push(
          resolvedAlert({
            entry: action.entry,
            invoice,
            code: action.code,
            reason: action.reason,
            createdAt,
          }),
        );
        if (action.entry.approvalId) {
          closes.push({ approvalId: action.entry.approvalId, reason: action.reason });
        }
      }
    }
    open.sort(byLine);
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

  async function targetsFor(event: ChangeEvent, cache: Map<string, PoSlot>): Promise<Target[]> {
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
      cache.set(token, record);
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
        const cache = new Map<string, PoSlot>();
        const evaluations: Evaluation[] = [];
        for (const target of await targetsFor(event, cache)) {
          const evaluation = await evaluate(target, cache, shadow);
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

  function approvalSubject(
    alert: Alert,
    e: OpenEntry["exception"],
    invoice: SupplierInvoice,
  ): ApprovalSubject {
    const who = invoice.supplierName || invoice.supplierId;
    const enteredBy = invoice.changedBy || undefined;
    const slackId = enteredBy ? o.erpUsers?.[enteredBy] : undefined;
    return {
      alertId: alert.id,
      recordKey: alert.recordKey,
      kind: "exception",
      title: `${e.title}: invoice ${invoice.invoiceNumber} from ${who}`,
      amount: e.amountAtStake,
      costCenter: e.costCenter ?? "",
      tenant: invoice.tenant,
      company: invoice.company,
      ...(enteredBy ? { enteredBy } : {}),
      ...(slackId ? { enteredBySlackId: slackId } : {}),
      recordVersion: alert.contentVersion,
    };
  }
}

function scopeOf(invoice: SupplierInvoice): InvoiceScope {
  return { tenant: invoice.tenant, company: invoice.company, division: invoice.division };
}

function byLine(a: OpenEntry, b: OpenEntry): number {
  const la = a.exception.line ?? -1;
  const lb = b.exception.line ?? -1;
  if (la !== lb) return la - lb;
  return a.exception.id < b.exception.id ? -1 : a.exception.id > b.exception.id ? 1 : 0;
}
