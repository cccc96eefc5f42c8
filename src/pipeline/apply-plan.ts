import type { Alert } from "../alerts/alert.ts";
import type { ApprovalSubject } from "../approvals/types.ts";
import type { SupplierInvoice } from "../infor/records.ts";
import type { MatchException } from "../rules/exception.ts";
import { type OpenedAlertInput, openedAlert, resolvedAlert } from "./alerts.ts";
import type { Plan } from "./plan.ts";
import type { ApprovalClose } from "./state-store.ts";
import type { OpenEntry } from "./types.ts";

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
}

/**
 * Turns a plan into alerts, creating approvals on the way (not in shadow mode: nothing there
 * may be decided). The only I/O is through `deps`.
 */
export async function applyPlan(
  plan: Plan,
  invoice: SupplierInvoice,
  createdAt: Date,
  deps: ApprovalDeps,
  shadow: boolean,
): Promise<Applied> {
  const alerts: Alert[] = [];
  const closes: ApprovalClose[] = [];
  const open: OpenEntry[] = [...plan.unchanged];

  async function withApproval(
    input: Omit<OpenedAlertInput, "approvalId">,
    keep: string | undefined,
  ): Promise<{ alert: Alert; approvalId?: string }> {
    const e = input.exception;
    if (!e.needsDecision || shadow) return { alert: openedAlert(input) };
    const eligible = deps.approversFor?.(e.costCenter, e.amountAtStake);
    if (eligible && eligible.users.length === 0 && eligible.groups.length === 0) {
      return { alert: openedAlert({ ...input, noApprover: true }) };
    }
    // Whoever entered the invoice may not approve it (segregation of duties): not asked either.
    const enteredBy = deps.slackUserFor?.(invoice.changedBy || undefined);
    const ask =
      eligible && deps.mentionApprovers !== false
        ? { users: eligible.users.filter((u) => u !== enteredBy), groups: eligible.groups }
        : undefined;
    if (keep && (!deps.isApprovalOpen || (await deps.isApprovalOpen(keep)))) {
      return {
        alert: openedAlert({ ...input, approvalId: keep, ...(ask ? { ask } : {}) }),
        approvalId: keep,
      };
    }
    if (!deps.createPending) return { alert: openedAlert(input) };
    const draft = openedAlert(input);
    // Approval ids follow the alert id, which does not depend on the buttons: create, then render.
    const { id } = await deps.createPending(approvalSubject(draft, e, invoice, deps.slackUserFor));
    return {
      alert: openedAlert({ ...input, approvalId: id, ...(ask ? { ask } : {}) }),
      approvalId: id,
    };
  }

  for (const action of plan.actions) {
    if (action.type === "open") {
      const { alert, approvalId } = await withApproval(
        {
          exception: action.exception,
          invoice,
          channel: action.channel,
          ...(action.routeNote ? { routeNote: action.routeNote } : {}),
          occurrence: action.occurrence,
          update: 0,
          createdAt,
        },
        undefined,
      );
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
      const { alert, approvalId } = await withApproval(
        {
          exception: action.exception,
          previous: prev.exception,
          invoice,
          channel: prev.channel,
          occurrence: prev.occurrence,
          update,
          createdAt,
        },
        prev.approvalId,
      );
      alerts.push(alert);
      open.push({
        exception: action.exception,
        channel: prev.channel,
        occurrence: prev.occurrence,
        update,
        alertId: alert.id,
        ...(approvalId ? { approvalId } : {}),
      });
    } else {
      const { entry, code, reason } = action;
      alerts.push(resolvedAlert({ entry, invoice, code, reason, createdAt }));
      if (entry.approvalId) closes.push({ approvalId: entry.approvalId, reason });
    }
  }
  open.sort(byLine);
  return { alerts, closes, open };
}

function approvalSubject(
  alert: Alert,
  e: MatchException,
  invoice: SupplierInvoice,
  slackUserFor: ApprovalDeps["slackUserFor"],
): ApprovalSubject {
  const who = invoice.supplierName || invoice.supplierId;
  const enteredBy = invoice.changedBy || undefined;
  const slackId = slackUserFor?.(enteredBy);
  return {
    alertId: alert.id,
    // The invoice's own key, not the exception alert's: the click-time recheck reads the invoice
    // by it (paid or cancelled meanwhile → not decided in Slack), and `/infor invoice` shows the
    // approval through it. The alert id still names the exception.
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
    recordVersion: alert.contentVersion,
  };
}

function byLine(a: OpenEntry, b: OpenEntry): number {
  const la = a.exception.line ?? -1;
  const lb = b.exception.line ?? -1;
  if (la !== lb) return la - lb;
  return a.exception.id < b.exception.id ? -1 : a.exception.id > b.exception.id ? 1 : 0;
}
