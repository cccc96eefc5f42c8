import { type Alert, createAlert, type FieldChange, hashParts } from "../alerts/alert.ts";
import type { SupplierInvoice } from "../infor/records.ts";
import { exceptionPayload } from "../rules/alert-payload.ts";
import type { MatchException } from "../rules/exception.ts";
import type { ResolutionCode } from "../rules/lifecycle.ts";
import { formatMoney } from "../shared/money.ts";
import type { OpenEntry } from "./types.ts";

/**
 * Match exceptions as delivery alerts. Pure. Delivery threads later alerts of the same subject
 * under the first message, and the subject of an exception alert is its type plus its record
 * key, so each exception gets a record key of its own (`<invoice key>#<exception id>`): two
 * price variances on one invoice stay two messages, and the resolution of each edits its own.
 *
 * Ids are stable across re-polls and restarts: createAlert hashes the record key and content
 * version, and the version is derived from the stored state (occurrence, edit count) plus the
 * exception's own content.
 */
export function exceptionRecordKey(e: MatchException): string {
  return `${e.invoiceKey}#${e.id}`;
}

export function openVersion(e: MatchException, occurrence: number, update: number): string {
  const content = hashParts([e.cause, e.amountAtStake.amount, e.amountAtStake.currency]);
  return `o${occurrence}.u${update}.${content.slice(0, 16)}`;
}

export interface OpenedAlertInput {
  readonly exception: MatchException;
  readonly invoice: SupplierInvoice;
  readonly channel: string;
  /** Why routing fell back (no cost center in the ERP), shown under the message. */
  readonly routeNote?: string;
  readonly occurrence: number;
  readonly update: number;
  /** The exception as last posted, when this alert edits it (the thread says what changed). */
  readonly previous?: MatchException;
  readonly approvalId?: string;
  /** The eligible approvers, mentioned on the message (routing.yml approvals.mentionApprovers). */
  readonly ask?: { users: string[]; groups: string[] };
  /** It needs a decision but no approver is configured for its cost center: say so, no buttons. */
  readonly noApprover?: boolean;
  readonly createdAt: Date;
}

/** `exception.opened`: the first post, or an edit of it when `previous` is given. */
export function openedAlert(input: OpenedAlertInput): Alert {
  const e = input.exception;
  const changes = input.previous ? exceptionChanges(input.previous, e) : undefined;
  const payload = exceptionPayload(e);
  if (input.noApprover) {
    payload.details.push({
      label: "Decision",
      value: `no approver is set for cost center ${e.costCenter ?? "(none)"} in routing.yml: decide in the ERP`,
    });
  }
  return createAlert({
    kind: "exception.opened",
    record: input.invoice,
    recordKey: exceptionRecordKey(e),
    contentVersion: openVersion(e, input.occurrence, input.update),
    channel: input.channel,
    exception: payload,
    ...(e.costCenter ? { costCenter: e.costCenter } : {}),
    ...(input.routeNote ? { routeNote: input.routeNote } : {}),
    ...(changes ? { changes } : {}),
    ...(input.approvalId
      ? {
          needsDecision: {
            approvalId: input.approvalId,
            allowHold: e.actions.includes("hold"),
            ...(input.ask ? { ask: input.ask } : {}),
          },
        }
      : {}),
    createdAt: input.createdAt,
  });
}

export interface ResolvedAlertInput {
  readonly entry: OpenEntry;
  readonly invoice: SupplierInvoice;
  readonly code: ResolutionCode;
  readonly reason: string;
  readonly createdAt: Date;
}

/**
 * `exception.resolved`: same subject and channel as the opened alert, so delivery edits that
 * message (shown as resolved, buttons gone) and the thread reply carries the reason.
 */
export function resolvedAlert(input: ResolvedAlertInput): Alert {
  const { entry } = input;
  const e = entry.exception;
  const payload = exceptionPayload(e);
  return createAlert({
    kind: "exception.resolved",
    record: input.invoice,
    recordKey: exceptionRecordKey(e),
    contentVersion: `o${entry.occurrence}.resolved`,
    channel: entry.channel,
    exception: {
      ...payload,
      // The numbers shown when it opened (received 0, variance 4 %) are stale now: keep only
      // what identifies the exception, and say why it resolved.
      details: [
        { label: "Resolved", value: input.reason },
        ...payload.details.filter((d) => IDENTITY_LABELS.has(d.label)),
      ],
    },
    ...(e.costCenter ? { costCenter: e.costCenter } : {}),
    changes: [{ field: "Status", from: "open", to: `resolved: ${input.reason}` }],
    createdAt: input.createdAt,
  });
}

/** Details of an exception payload that stay true after it resolved. */
const IDENTITY_LABELS = new Set(["Purchase order", "Other invoice", "Other invoice date"]);

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
