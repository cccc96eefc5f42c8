import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type Logger } from "pino";
import { type Alert, hashParts } from "../alerts/alert.ts";
import {
  type CanonicalRecord,
  type PurchaseOrder,
  recordKey,
  type SupplierInvoice,
} from "../infor/records.ts";
import type { MatchPolicy } from "../rules/match-policy.ts";
import type { RoutingPolicy } from "../rules/routing.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type { ChangeEvent } from "../sync/sink.ts";
import type { ApprovalDeps } from "./apply-plan.ts";
import { PipelineError } from "./errors.ts";
import {
  createEvaluator,
  type Evaluation,
  newRunCache,
  type PoSlot,
  type RunCache,
  scopeOf,
  type Target,
} from "./evaluate.ts";
import { createInvoiceIndex, type IndexView, type InvoiceIndex } from "./invoice-index.ts";
import { invoiceToken, pipelineKeys, poToken } from "./keys.ts";
import { OPEN_TOKEN, poNumbersOf } from "./plan.ts";
import { triggerReadsScript } from "./scripts.ts";
import {
  type ApprovalClose,
  createStateStore,
  type Memo,
  memoFrom,
  stateFrom,
} from "./state-store.ts";
import type { LookupResult, MatchLookups, OpenEntry, VersionedState } from "./types.ts";

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
  readonly redis: RedisClient;
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
  /**
   * Runs `run` (the `onChange` calls of one page of events) with the POs of the page's invoices
   * read ahead in set-based reads (`lookups.getPurchaseOrders`), so a page of N invoices costs a
   * few PO reads instead of N, and each supplier's indexed invoices read once for the page
   * instead of once per invoice. Evaluations read the same data they would have read one by
   * one (the page's own writes included); without `getPurchaseOrders` POs are read per invoice.
   */
  withBatch<T>(events: readonly ChangeEvent[], run: () => Promise<T>): Promise<T>;
  /**
   * Starts the set-based PO reads of invoices that will be delivered soon (the sync's prefetch
   * hint for the next page), so they overlap the work on the page before; `withBatch` takes
   * them instead of reading again. Reads nobody takes are dropped after a minute.
   */
  prefetch(records: readonly CanonicalRecord[]): void;
  /** Alerts for one change event (empty for entities that cannot affect a match). */
  onChange(event: ChangeEvent, context?: TriggerContext): Promise<Alert[]>;
  /**
   * Re-evaluates every invoice with open exceptions against fresh PO data: the safety net for
   * causes that change without a change event (a PO not polled, a receipt that does not touch
   * the PO's change date). `emit` must make the alerts durable (delivery's enqueue) before it
   * returns: state is committed only after it, so a crash in between sends the same alert ids
   * again on the next run.
   */
  recheckOpen(
    emit: (alerts: Alert[]) => Promise<void>,
    /** `limit`: check at most this many, picked at random (a sweep per run covers all in time). */
    options?: { limit?: number },
  ): Promise<RecheckResult>;
  /** Exceptions open on an invoice (by its record key), oldest line first. */
  openExceptions(invoiceKey: string): Promise<OpenEntry[]>;
  /**
   * Exceptions open on the invoices that refer to a purchase order: exceptions are kept per
   * invoice, so a PO finds them through the invoices registered under its dependency token.
   */
  openExceptionsForPo(
    tenant: string,
    company: string,
    poNumber: string,
  ): Promise<{ invoice: SupplierInvoice; entry: OpenEntry }[]>;
}

export interface RecheckResult {
  readonly checked: number;
  readonly alerts: number;
}

const DAY_MS = 86_400_000;
const ATTEMPTS = 4;
/** A prefetched PO read not taken by a batch within this long is dropped (the page never came). */
const EARLY_TTL_MS = 60_000;

function slotOf(r: LookupResult<PurchaseOrder> | undefined): PoSlot | undefined {
  if (!r) return undefined;
  return r.records[0] ?? (r.rejects.length > 0 ? "invalid" : "missing");
}

/** The invoices' PO numbers per scope (tenant, company, division), each number once. */
function poNumbersByScope(invoices: readonly SupplierInvoice[]) {
  const byScope = new Map<string, { invoice: SupplierInvoice; numbers: Set<string> }>();
  for (const inv of invoices) {
    const k = `${inv.tenant}\u0000${inv.company}\u0000${inv.division}`;
    const entry = byScope.get(k) ?? { invoice: inv, numbers: new Set<string>() };
    for (const n of poNumbersOf(inv)) entry.numbers.add(n);
    byScope.set(k, entry);
  }
  return [...byScope.values()];
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
  const stored = createInvoiceIndex({
    redis: o.redis,
    keys,
    maxPerSupplier: o.maxInvoicesPerSupplier ?? 500,
    ttlMs: o.stateTtlMs ?? 400 * DAY_MS,
  });
  // Per delivered page, so concurrent polls in one process never see each other's reads.
  const batch = new AsyncLocalStorage<{ pos: ReadonlyMap<string, PoSlot>; invoices: IndexView }>();
  // Inside a batch, the suppliers' invoices come from the page's one read (`IndexView`).
  const index: InvoiceIndex = {
    remember: (invoice) => stored.remember(invoice, batch.getStore()?.invoices),
    entry: (invoice) => stored.entry(invoice),
    written: (invoice, length) => stored.written(invoice, length, batch.getStore()?.invoices),
    others: (invoice) => stored.others(invoice, batch.getStore()?.invoices),
    all: (invoice) => stored.all(invoice, batch.getStore()?.invoices),
    load: (invoices) => stored.load(invoices),
  };
  const evaluate = createEvaluator({
    ...o,
    store,
    index,
    keys,
    clock,
    log,
    prefetched: () => batch.getStore()?.pos,
  });
  const maxDependents = o.maxDependents ?? 500;

  async function dependentTargets(
    token: string,
    exclude: string,
    /** The set as already read in this attempt's round trip. */
    read?: readonly string[],
  ): Promise<Target[]> {
    const all = (read ?? (await store.dependents(token))).filter((k) => k !== exclude);
    if (all.length > maxDependents) {
      log.warn({ token, count: all.length, max: maxDependents }, "dependents capped");
    }
    const targets: Target[] = [];
    for (const invoiceKey of all.slice(0, maxDependents)) {
      const { state } = await store.load(invoiceKey);
      if (state) targets.push({ invoice: state.invoice, invoiceKey, isTrigger: false });
      // The state expired (untouched for its TTL) while the index still named it.
      else await store.forget(token, invoiceKey);
    }
    return targets;
  }

  async function runCloses(closes: readonly ApprovalClose[]): Promise<void> {
    if (!o.closeApproval) return;
    for (const c of closes) await o.closeApproval(c.approvalId, c.reason);
  }

  async function targetsFor(
    event: ChangeEvent,
    run: RunCache,
    dependents?: readonly string[],
  ): Promise<Target[]> {
    const record = event.record;
    if (record.entity === "supplier_invoice") {
      const invoiceKey = recordKey(record);
      return [
        { invoice: record, invoiceKey, isTrigger: true },
        ...(await dependentTargets(invoiceToken(invoiceKey), invoiceKey, dependents)),
      ];
    }
    if (record.entity === "purchase_order") {
      const token = poToken(record.tenant, record.company, record.number);
      run.pos.set(token, record);
      return dependentTargets(token, "");
    }
    return [];
  }

  function gather(evaluations: readonly Evaluation[]) {
    return {
      alerts: evaluations.flatMap((e) => e.alerts),
      closes: evaluations.flatMap((e) => e.closes),
      writes: evaluations
        .map((e) => e.write)
        .filter((w) => w.next !== undefined || w.expectedRev > 0),
    };
  }

  async function recheckOne(
    invoiceKey: string,
    emit: (alerts: Alert[]) => Promise<void>,
  ): Promise<number> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const { state } = await store.load(invoiceKey);
      if (!state) await store.forget(OPEN_TOKEN, invoiceKey);
      if (!state || state.open.length === 0) return 0;
      const target = { invoice: state.invoice, invoiceKey, isTrigger: false };
      const evaluation = await evaluate(target, newRunCache(), false);
      if (!evaluation) return 0;
      const { alerts, closes, writes } = gather([evaluation]);
      if (alerts.length === 0) return 0;
      await emit(alerts);
      if (await store.commit(hashParts(["mx-recheck", invoiceKey]), undefined, writes)) {
        await runCloses(closes);
        return alerts.length;
      }
    }
    throw new PipelineError(
      "state_conflict",
      `exception state of ${invoiceKey} kept changing during ${ATTEMPTS} rechecks`,
    );
  }

  // PO reads started by `prefetch`, by PO token, until a batch takes them.
  const early = new Map<string, { at: number; slot: Promise<PoSlot | undefined> }>();

  function invoicesOf(records: readonly (CanonicalRecord | undefined)[]): SupplierInvoice[] {
    return records.filter((r): r is SupplierInvoice => r?.entity === "supplier_invoice");
  }

  function prefetch(records: readonly CanonicalRecord[]): void {
    const getMany = o.lookups.getPurchaseOrders;
    if (!getMany) return;
    const now = Date.now();
    for (const [token, e] of early) if (now - e.at > EARLY_TTL_MS) early.delete(token);
    for (const { invoice, numbers } of poNumbersByScope(invoicesOf(records))) {
      const fresh = [...numbers].filter(
        (n) => !early.has(poToken(invoice.tenant, invoice.company, n)),
      );
      if (fresh.length === 0) continue;
      const read = getMany(scopeOf(invoice), fresh);
      for (const n of fresh) {
        early.set(poToken(invoice.tenant, invoice.company, n), {
          at: now,
          // A failed read is no answer: the batch reads those POs itself.
          slot: read.then(
            (found) => slotOf(found.get(n)),
            () => undefined,
          ),
        });
      }
    }
  }

  async function readAhead(events: readonly ChangeEvent[]): Promise<Map<string, PoSlot>> {
    const cache = new Map<string, PoSlot>();
    const getMany = o.lookups.getPurchaseOrders;
    if (!getMany) return cache;
    for (const { invoice, numbers } of poNumbersByScope(invoicesOf(events.map((e) => e.record)))) {
      const missing: string[] = [];
      for (const n of numbers) {
        const token = poToken(invoice.tenant, invoice.company, n);
        const taken = early.get(token);
        early.delete(token);
        const slot = taken ? await taken.slot : undefined;
        if (slot) cache.set(token, slot);
        else missing.push(n);
      }
      if (missing.length === 0) continue;
      const found = await getMany(scopeOf(invoice), missing);
      for (const n of missing) {
        // A number the batch read did not answer is read alone, as before.
        const slot = slotOf(found.get(n));
        if (slot) cache.set(poToken(invoice.tenant, invoice.company, n), slot);
      }
    }
    return cache;
  }

  /**
   * An invoice trigger's memo, dependents and state, and its write to its supplier's index, in
   * one command (lua/trigger-reads.lua): what `getMemo`, `dependents`, `load` and
   * `index.remember` did in four calls (eight commands).
   */
  async function invoiceTriggerReads(
    invoice: SupplierInvoice,
    invoiceKey: string,
    memoId: string,
    shadow: boolean,
  ): Promise<[Memo | undefined, [string[], VersionedState]]> {
    const { key, field, value, ttlMs } = index.entry(invoice);
    const r = await triggerReadsScript.run(o.redis, {
      keys: {
        memo: keys.memo(memoId),
        dependents: keys.dependents(invoiceToken(invoiceKey)),
        state: keys.invoice(invoiceKey),
        index: key,
      },
      args: { readMemo: shadow ? "0" : "1", field, invoice: value, ttlMs },
    });
    await index.written(invoice, r.indexLength);
    return [
      shadow ? undefined : memoFrom(memoId, r.memo),
      [r.dependents.sort(), stateFrom(invoiceKey, r.rev, r.data)],
    ];
  }

  return {
    prefetch,

    async withBatch(events, run) {
      const pos = await readAhead(events);
      const invoices = await stored.load(invoicesOf(events.map((e) => e.record)));
      return batch.run({ pos, invoices }, run);
    },

    async onChange(event, context = {}) {
      const { entity } = event.record;
      if (entity !== "supplier_invoice" && entity !== "purchase_order") return [];
      const shadow = context.shadow === true;
      const memoId = hashParts(["mx", event.recordKey, event.contentVersion]);
      // One round trip for the trigger's Redis work before its evaluation (an import's invoices
      // made four in a row on the page's serial path: bench/scenarios/pipeline.ts): its memo and,
      // for an invoice, the invoices that depend on it and its own state, read as they would be
      // after the invoice is written to its supplier's index, which none of them is; and that
      // write, which is the same for a trigger handled before (the memo's case): the same
      // version of the same invoice.
      // For an invoice all of it is one script (lua/trigger-reads.lua), in that order.
      const invoiceKey = entity === "supplier_invoice" ? recordKey(event.record) : undefined;
      const [memo, first] =
        event.record.entity === "supplier_invoice" && invoiceKey !== undefined
          ? await invoiceTriggerReads(event.record, invoiceKey, memoId, shadow)
          : [shadow ? undefined : await store.getMemo(memoId), undefined];
      if (memo) {
        await runCloses(memo.closes);
        return [...memo.alerts];
      }
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        // A later attempt (the state moved under the first) reads everything again.
        const read = attempt === 1 ? first : undefined;
        const run = newRunCache(
          read && invoiceKey !== undefined ? new Map([[invoiceKey, read[1]]]) : undefined,
        );
        const evaluations: Evaluation[] = [];
        for (const target of await targetsFor(event, run, read?.[0])) {
          const evaluation = await evaluate(target, run, shadow);
          if (evaluation) evaluations.push(evaluation);
        }
        const { alerts, closes, writes } = gather(evaluations);
        if (shadow) return alerts;
        if (writes.length === 0 && alerts.length === 0) return [];
        if (await store.commit(memoId, { alerts, closes }, writes)) {
          await runCloses(closes);
          if (alerts.length > 0) {
            log.debug(
              { recordKey: event.recordKey, invoices: writes.length, alerts: alerts.length },
              "match exceptions changed",
            );
          }
          return alerts;
        }
        // Committed after all (our own commit whose reply was lost and which the client sent
        // again, or another worker on the same record version): its alerts are the answer. A
        // fresh evaluation would find the exceptions already open and return none.
        const committed = await store.getMemo(memoId);
        if (committed) {
          await runCloses(committed.closes);
          return [...committed.alerts];
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

    async recheckOpen(emit, options = {}) {
      const keysToCheck =
        options.limit === undefined
          ? await store.dependents(OPEN_TOKEN)
          : await store.sampleDependents(OPEN_TOKEN, options.limit);
      let checked = 0;
      let alerts = 0;
      for (const invoiceKey of keysToCheck) {
        checked++;
        alerts += await recheckOne(invoiceKey, emit);
      }
      return { checked, alerts };
    },

    async openExceptions(invoiceKey) {
      return [...((await store.load(invoiceKey)).state?.open ?? [])];
    },

    async openExceptionsForPo(tenant, company, poNumber) {
      const found: { invoice: SupplierInvoice; entry: OpenEntry }[] = [];
      for (const invoiceKey of await store.dependents(poToken(tenant, company, poNumber))) {
        const state = (await store.load(invoiceKey)).state;
        if (!state) continue;
        for (const entry of state.open) {
          // An invoice may cover several POs: only the exceptions about this one belong here.
          const po = entry.exception.ref.poNumber ?? state.invoice.poNumber;
          if (po === poNumber) found.push({ invoice: state.invoice, entry });
        }
      }
      return found;
    },
  };
}
