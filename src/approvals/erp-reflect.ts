import { groupBy } from "../shared/group-by.ts";
import { closeAsDecidedInErp } from "./erp-decide.ts";
import { parseInvoiceKey } from "./erp-m3.ts";
import type { ErpAdapter, ErpMode, ErpRoute, ErpState, RouteLookup } from "./erp-types.ts";
import type { ErpIntent, ErpWriter } from "./erp-write-back.ts";
import type { ApprovalStore } from "./store.ts";
import { type Approval, type AuditFn, isOpen } from "./types.ts";

/**
 * One poll of M3 for the open approvals: a decision taken in M3 (or in Infor's own apps) closes
 * the Slack approval with "decided in M3 by …"; a decision of ours whose answer was lost (or whose
 * worker died after M3 applied it) is completed as the Slack user's, from the stored intent.
 */
export interface ReflectDeps {
  store: ApprovalStore;
  writer: ErpWriter;
  adapterFor: (tenant: string) => ErpAdapter | undefined;
  modeFor: (tenant: string) => ErpMode;
  audit: AuditFn;
  /** Edit the Slack message of an approval that changed (the caller renders it). */
  onChanged: (approval: Approval, line: ReflectedLine) => Promise<void>;
  clock?: () => number;
  /** Open approvals read per poll (oldest first). */
  limit?: number;
  /** Parallel M3 reads (the ION budget is shared with the pollers). */
  concurrency?: number;
  /**
   * Batches M3 decided in a division since a day (batch number → user who changed it last; one
   * read per division), or undefined when the tenant offers no such read: then every open
   * approval is read on its own.
   */
  changedSince?: (
    tenant: string,
    scope: { company: string; division: string },
    since: string,
  ) => Promise<ReadonlyMap<string, string> | undefined>;
}

export type ReflectedLine =
  | { kind: "decided_in_erp"; state: "approved" | "rejected"; detail: string }
  | { kind: "completed"; state: "approved" | "rejected"; by: string };

export interface ReflectReport {
  checked: number;
  decidedInErp: number;
  completed: number;
  unreadable: number;
}

/** Keep the approvals whose batch M3 changed since the oldest open one was created. */
async function narrow(
  open: Approval[],
  changedSince: NonNullable<ReflectDeps["changedSince"]>,
  changedBy: Map<string, string>,
): Promise<Approval[]> {
  const groups = new Map<string, Approval[]>();
  for (const a of open) {
    const [, tenant = "", company = "", division = ""] = a.recordKey.split(":");
    const id = `${tenant}\u0000${company}\u0000${division}`;
    groups.set(id, [...(groups.get(id) ?? []), a]);
  }
  const keep: Approval[] = [];
  for (const [id, list] of groups) {
    const [tenant = "", company = "", division = ""] = id.split("\u0000");
    const days = list.map((a) => a.createdAt.slice(0, 10).replaceAll("-", "")).sort();
    const since = days[0] ?? "00000000";
    let changed: ReadonlyMap<string, string> | undefined;
    try {
      changed = await changedSince(tenant, { company, division }, since);
    } catch {
      changed = undefined;
    }
    for (const a of list) {
      const inbn = parseInvoiceKey(a.recordKey)?.inbn;
      if (!changed || inbn === undefined || changed.has(inbn)) keep.push(a);
      const by = inbn !== undefined ? changed?.get(inbn) : undefined;
      if (by) changedBy.set(a.id, by);
    }
  }
  return keep;
}

interface RecordReads {
  route(adapter: ErpAdapter, a: Approval): Promise<RouteLookup>;
  invoice(route: ErpRoute): Promise<ErpState>;
}

/**
 * One record's M3 reads within a pass, shared by its approvals (an invoice's exception lines):
 * the route (the head read that chose it) and the invoice's state are read once, and the route's
 * line states come from one read of the lines (erp-m3.ts). A reflection only reads M3, so
 * nothing it does in the pass makes them stale; a line per approval cost 3 ION calls each.
 */
function recordReads(): RecordReads {
  let found: Promise<RouteLookup> | undefined;
  let invoice: Promise<ErpState> | undefined;
  // A failed read is not kept: the record's next approval reads again, as it did on its own.
  return {
    route: (adapter, a) => {
      found ??= adapter.routeFor(a).catch((err: unknown) => {
        found = undefined;
        throw err;
      });
      return found;
    },
    invoice: (route) => {
      invoice ??= route.state().catch((err: unknown) => {
        invoice = undefined;
        throw err;
      });
      return invoice;
    },
  };
}

export async function reflectErpDecisions(deps: ReflectDeps): Promise<ReflectReport> {
  const now = () => new Date((deps.clock ?? Date.now)()).toISOString();
  const open = await deps.store.listOpen(deps.limit ?? 500);
  const report: ReflectReport = { checked: 0, decidedInErp: 0, completed: 0, unreadable: 0 };
  // Both kinds: an invoice's own approval, and the approvals of its exception lines (what the
  // pipeline creates: kind "exception", keyed by the invoice), decided with the invoice in M3.
  const candidates = open.filter((a) => deps.modeFor(a.tenant) !== "off");
  const changedBy = new Map<string, string>();
  const queue = deps.changedSince
    ? await narrow(candidates, deps.changedSince, changedBy)
    : candidates;
  await runAll(deps, queue, report, changedBy, now);
  return report;
}

/**
 * Reflect only the approvals of these records: a poll or an M3 event saw the record change, so
 * the check runs on the record's own change (targeted reads: the record's approvals, then one
 * M3 read for each that is still open), not on the next pass over every open approval.
 */
export async function reflectRecords(
  deps: Omit<ReflectDeps, "changedSince" | "limit">,
  recordKeys: readonly string[],
): Promise<ReflectReport> {
  const now = () => new Date((deps.clock ?? Date.now)()).toISOString();
  const report: ReflectReport = { checked: 0, decidedInErp: 0, completed: 0, unreadable: 0 };
  const queue: Approval[] = [];
  for (const recordKey of new Set(recordKeys)) {
    for (const a of await deps.store.forRecord(recordKey)) {
      if (isOpen(a.state) && deps.modeFor(a.tenant) !== "off") queue.push(a);
    }
  }
  await runAll(deps, queue, report, new Map(), now);
  return report;
}

async function runAll(
  deps: Omit<ReflectDeps, "changedSince" | "limit">,
  queue: Approval[],
  report: ReflectReport,
  changedBy: Map<string, string>,
  now: () => string,
): Promise<void> {
  // One record's approvals (an invoice's exception lines share its one message) one after
  // another: two rewrites of the same message at once would each stamp only their own line.
  const groups = [...groupBy(queue, (a) => a.recordKey).values()];
  const workers = Array.from({ length: deps.concurrency ?? 4 }, async () => {
    for (let g = groups.shift(); g; g = groups.shift()) {
      // "Approve all" / "Reject invoice…" stores the invoice's intent under one line's id only:
      // an invoice-level decision M3 shows is then ours for every line of the record.
      const invoiceIntent = await firstInvoiceIntent(deps.writer, g);
      const reads = recordReads();
      for (const a of g) await one(a, invoiceIntent, reads);
    }
  });
  await Promise.all(workers);

  async function one(
    a: Approval,
    invoiceIntent: ErpIntent | undefined,
    reads: RecordReads,
  ): Promise<void> {
    const adapter = deps.adapterFor(a.tenant);
    if (!adapter) return;
    report.checked++;
    // A line's own Approve keeps its intent under the approval and line (erp-line.ts).
    const lineIntent =
      typeof a.line === "number" ? await deps.writer.intent(`${a.id}:line:${a.line}`) : undefined;
    const intents = [lineIntent, await deps.writer.intent(a.id), invoiceIntent].filter(
      (i): i is ErpIntent => i !== undefined,
    );
    let state: ErpState;
    let lineLevel = false;
    try {
      const found = await reads.route(adapter, a);
      if (!found.ok) {
        if ("unreadable" in found) report.unreadable++;
        return;
      }
      const route = found.route;
      state = await reads.invoice(route);
      // An exception line of an invoice in M3's approval flow: its line may be approved in M3
      // (CMS742MI) while the invoice still waits, and that decides this line's approval only.
      // Our own line approval is judged by the line too: approving the last line approves the
      // invoice, so an approved invoice does not tell whose the line's approval was.
      const lineRead =
        typeof a.line === "number" &&
        route.unsupported("approve_line") === undefined &&
        (state.status === "pending" || (lineIntent !== undefined && state.status === "approved"));
      if (lineRead && typeof a.line === "number") {
        const line = await route.state({
          approval: a,
          verb: "approve_line",
          actor: "system",
          line: a.line,
        });
        if (line.status !== "pending") {
          state = line;
          lineLevel = true;
        }
      }
    } catch {
      report.unreadable++;
      return;
    }
    if (state.status === "pending") return;
    // Ours: what M3 shows is what our stored intent asked for, at the same level (a line's
    // approval for a line, the invoice's decision for the invoice).
    const intent = intents.find(
      (i) =>
        (i.verb === "reject" ? "rejected" : "approved") === state.status &&
        (i.verb === "approve_line") === lineLevel,
    );
    if (intent) {
      const verb = intent.verb === "reject" ? "reject" : "approve";
      const decided = {
        type: "approval.decided",
        approvalId: a.id,
        alertId: a.alertId,
        recordKey: a.recordKey,
        actor: intent.actor,
        ...(intent.reason ? { reason: intent.reason } : {}),
        code: "erp_confirmed_later",
      } as const;
      const moved = await deps.store.transition(a.id, verb, intent.actor, intent.reason, decided);
      if (!moved.ok) return;
      report.completed++;
      if (!moved.audited) {
        await deps.audit({
          ...decided,
          at: moved.approval.decidedAt ?? now(),
          state: moved.approval.state,
        });
      }
      await deps.onChanged(moved.approval, {
        kind: "completed",
        state: state.status,
        by: intent.actor,
      });
      return;
    }
    const closed = await closeAsDecidedInErp(
      deps,
      a,
      {
        state: state.status,
        // GetHead does not say who decided; the change list's CHID does.
        ...((state.by ?? changedBy.get(a.id)) ? { by: state.by ?? changedBy.get(a.id) ?? "" } : {}),
        ...(state.detail ? { detail: state.detail } : {}),
      },
      "system",
      now,
    );
    if (closed.kind !== "superseded" || closed.approval.state !== "superseded") return;
    report.decidedInErp++;
    await deps.onChanged(closed.approval, {
      kind: "decided_in_erp",
      state: state.status,
      detail: closed.detail ?? "decided in M3",
    });
  }
}

/** The first invoice-level intent (approve or reject) stored under any approval of the record. */
async function firstInvoiceIntent(
  writer: ErpWriter,
  group: readonly Approval[],
): Promise<ErpIntent | undefined> {
  if (group.length < 2) return undefined;
  for (const a of group) {
    const intent = await writer.intent(a.id);
    if (intent && intent.verb !== "approve_line") return intent;
  }
  return undefined;
}
