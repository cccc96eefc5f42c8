import type { Alert, DocumentEvent, FieldChange } from "../alerts/alert.ts";
import type { ApprovalSubject } from "../approvals/types.ts";
import { recordKey, type SupplierInvoice } from "../infor/records.ts";
import type { MatchException } from "../rules/exception.ts";
import { formatMoney } from "../shared/money.ts";
import { documentAlert, lineApprovalKey, openLine, openVersion, resolvedLine } from "./document.ts";
import type { Plan } from "./plan.ts";
import type { ApprovalClose } from "./state-store.ts";
import type { DocEntry, InvoiceState, OpenEntry, ResolvedEntry } from "./types.ts";

export interface ApprovalDeps {
  /** Creates (idempotently per alert id) the pending approval behind the buttons. */
  readonly createPending?: (subject: ApprovalSubject) => Promise<{ id: string }>;
  /**
   * Whether an approval still takes a decision. When an exception changes after someone decided
   * it, the new numbers need a new decision (a new approval); absent, the first one is kept.
   */
  readonly isApprovalOpen?: (approvalId: string) => Promise<boolean>;
  /** routing.yml `erpUsers` read from the ERP side: the Slack user of an ERP user id, any case. */
  readonly slackUserFor?: (erpUser: string | undefined) => string | undefined;
  /**
   * Who may decide an amount in a cost center (routing.yml approver bands). Nobody: no buttons
   * (they would only produce refusals), the message says so. Somebody: they are mentioned.
   */
  readonly approversFor?: (
    costCenter: string | undefined,
    amount: MatchException["amountAtStake"],
  ) => { users: string[]; groups: string[] };
  /** Mention the eligible approvers on the message (default true). */
  readonly mentionApprovers?: boolean;
}

export interface Applied {
  readonly alerts: Alert[];
  readonly closes: ApprovalClose[];
  /** Open entries after the plan, oldest line first. */
  readonly open: OpenEntry[];
  /** Resolved exceptions still listed on the invoice's messages. */
  readonly resolved: ResolvedEntry[];
  /** The invoice's message per channel after the plan. */
  readonly docs: DocEntry[];
}

/** Resolved lines kept on a message at most (the oldest fall off; the thread keeps them). */
const MAX_RESOLVED = 20;

/**
 * Turns a plan into the invoice's document alerts (one message per invoice and channel: every
 * exception a line with its own state), creating a pending approval per line that needs a
 * decision (not in shadow mode: nothing there may be decided). The only I/O is through `deps`.
 */
export async function applyPlan(
  plan: Plan,
  invoice: SupplierInvoice,
  createdAt: Date,
  deps: ApprovalDeps,
  shadow: boolean,
  previous: Pick<InvoiceState, "resolved" | "docs"> = {},
): Promise<Applied> {
  const closes: ApprovalClose[] = [];
  const open: OpenEntry[] = [...plan.unchanged];
  const at = createdAt.toISOString();
  const events = new Map<string, DocumentEvent[]>();
  const routeNotes = new Map<string, string>();
  const noApprover = new Set<string>();
  const asks = new Map<string, { users: Set<string>; groups: Set<string> }>();
  const event = (channel: string, e: DocumentEvent) =>
    events.set(channel, [...(events.get(channel) ?? []), e]);
  let resolved = [...(previous.resolved ?? [])];

  // Whoever entered the invoice may not approve it (segregation of duties): not asked either.
  const enteredBy = deps.slackUserFor?.(invoice.changedBy || undefined);
  function askFor(e: MatchException, channel: string) {
    if (!e.needsDecision || shadow || deps.mentionApprovers === false) return;
    const eligible = deps.approversFor?.(e.costCenter, e.amountAtStake);
    if (!eligible) return;
    const a = asks.get(channel) ?? { users: new Set<string>(), groups: new Set<string>() };
    for (const u of eligible.users) if (u !== enteredBy) a.users.add(u);
    for (const g of eligible.groups) a.groups.add(g);
    asks.set(channel, a);
  }

  /** The approval behind a line's buttons: kept while open, else a new one for the new numbers. */
  async function approvalFor(
    e: MatchException,
    channel: string,
    occurrence: number,
    update: number,
    keep: string | undefined,
  ): Promise<string | undefined> {
    if (!e.needsDecision || shadow) return undefined;
    const eligible = deps.approversFor?.(e.costCenter, e.amountAtStake);
    if (eligible && eligible.users.length === 0 && eligible.groups.length === 0) {
      noApprover.add(e.id);
      return undefined;
    }
    if (keep && (!deps.isApprovalOpen || (await deps.isApprovalOpen(keep)))) return keep;
    if (!deps.createPending) return undefined;
    const key = lineApprovalKey(e, occurrence, update, channel);
    const { id } = await deps.createPending(
      approvalSubject(key, openVersion(e, occurrence, update), e, invoice, deps.slackUserFor),
    );
    return id;
  }

  for (const action of plan.actions) {
    if (action.type === "open") {
      const e = action.exception;
      const approvalId = await approvalFor(e, action.channel, action.occurrence, 0, undefined);
      // A re-opened exception leaves the resolved list: its line is open again.
      resolved = resolved.filter((r) => r.exception.id !== e.id || r.channel !== action.channel);
      open.push({
        exception: e,
        channel: action.channel,
        occurrence: action.occurrence,
        update: 0,
        alertId: "",
        since: at,
        ...(approvalId ? { approvalId } : {}),
      });
      if (action.routeNote) routeNotes.set(action.channel, action.routeNote);
      event(action.channel, { lineId: e.id, event: "opened", changes: [] });
    } else if (action.type === "update") {
      const prev = action.previous;
      const update = prev.update + 1;
      const approvalId = await approvalFor(
        action.exception,
        prev.channel,
        prev.occurrence,
        update,
        prev.approvalId,
      );
      open.push({
        exception: action.exception,
        channel: prev.channel,
        occurrence: prev.occurrence,
        update,
        alertId: prev.alertId,
        since: at,
        ...(approvalId ? { approvalId } : {}),
      });
      event(prev.channel, {
        lineId: action.exception.id,
        event: "changed",
        changes: exceptionChanges(prev.exception, action.exception),
      });
    } else {
      const { entry, reason } = action;
      resolved.push({
        exception: entry.exception,
        channel: entry.channel,
        occurrence: entry.occurrence,
        reason,
        at,
        ...(entry.approvalId ? { approvalId: entry.approvalId } : {}),
      });
      if (entry.approvalId) closes.push({ approvalId: entry.approvalId, reason });
      event(entry.channel, {
        lineId: entry.exception.id,
        event: "resolved",
        changes: [{ field: "Status", from: "open", to: `resolved: ${reason}` }],
      });
    }
  }
  open.sort(byLine);
  resolved = resolved.slice(-MAX_RESOLVED);
  for (const o of open) askFor(o.exception, o.channel);

  const alerts: Alert[] = [];
  const docs = new Map((previous.docs ?? []).map((d) => [d.channel, d]));
  for (const [channel, changed] of events) {
    const lines = [
      ...open
        .filter((o) => o.channel === channel)
        .map((o) => openLine(o, noApprover.has(o.exception.id))),
      ...resolved.filter((r) => r.channel === channel).map(resolvedLine),
    ];
    if (lines.length === 0) continue;
    const rev = (docs.get(channel)?.rev ?? 0) + 1;
    const ask = asks.get(channel);
    const note = routeNotes.get(channel);
    const alert = documentAlert({
      invoice,
      invoiceKey: recordKey(invoice),
      channel,
      rev,
      lines,
      events: changed,
      ...(note ? { routeNote: note } : {}),
      ...(ask && (ask.users.size > 0 || ask.groups.size > 0)
        ? { ask: { users: [...ask.users], groups: [...ask.groups] } }
        : {}),
      createdAt,
    });
    alerts.push(alert);
    docs.set(channel, { channel, rev, alertId: alert.id });
  }
  const openWithIds = open.map((o) => ({
    ...o,
    alertId: docs.get(o.channel)?.alertId ?? o.alertId,
  }));
  return { alerts, closes, open: openWithIds, resolved, docs: [...docs.values()] };
}

function exceptionChanges(before: MatchException, after: MatchException): FieldChange[] {
  const changes: FieldChange[] = [];
  if (before.cause !== after.cause) {
    changes.push({ field: "Cause", from: before.cause, to: after.cause });
  }
  const was = formatMoney(before.amountAtStake);
  const now = formatMoney(after.amountAtStake);
  if (was !== now) changes.push({ field: "Amount at stake", from: was, to: now });
  return changes;
}

function approvalSubject(
  key: string,
  version: string,
  e: MatchException,
  invoice: SupplierInvoice,
  slackUserFor: ApprovalDeps["slackUserFor"],
): ApprovalSubject {
  const who = invoice.supplierName || invoice.supplierId;
  const enteredBy = invoice.changedBy || undefined;
  const slackId = slackUserFor?.(enteredBy);
  return {
    // The line's key (invoice, exception, occurrence, edit, channel): one approval per line.
    alertId: key,
    // The invoice's own key: the click-time recheck reads the invoice by it (paid or cancelled
    // meanwhile → not decided in Slack), and `/infor invoice` shows the approval through it.
    recordKey: e.invoiceKey,
    kind: "exception",
    // The line tells two exceptions of one invoice apart (App Home lists them one under another).
    title: `${e.title}${e.line === null ? "" : ` on line ${e.line}`}: invoice ${invoice.invoiceNumber} from ${who}`,
    amount: e.amountAtStake,
    costCenter: e.costCenter ?? "",
    tenant: invoice.tenant,
    company: invoice.company,
    ...(enteredBy ? { enteredBy } : {}),
    ...(slackId ? { enteredBySlackId: slackId } : {}),
    recordVersion: version,
    line: e.line,
  };
}

function byLine(a: OpenEntry, b: OpenEntry): number {
  const la = a.exception.line ?? -1;
  const lb = b.exception.line ?? -1;
  if (la !== lb) return la - lb;
  return a.exception.id < b.exception.id ? -1 : a.exception.id > b.exception.id ? 1 : 0;
}
