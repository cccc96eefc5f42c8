import {
  type Alert,
  createAlert,
  type DocumentEvent,
  type DocumentLine,
  type ExceptionPayload,
  hashParts,
  lineName,
} from "../alerts/alert.ts";
import type { SupplierInvoice } from "../infor/records.ts";
import { exceptionPayload } from "../rules/alert-payload.ts";
import type { MatchException } from "../rules/exception.ts";
import type { OpenEntry, ResolvedEntry } from "./types.ts";

/**
 * One message per document: every exception open (or resolved) on an invoice in one channel is
 * a line of ONE alert whose subject is the invoice, so delivery posts it once and edits it in
 * place; each version's `events` become that edit's thread reply. Pure.
 *
 * Ids stay stable across re-polls, restarts and replicas: the version is the document's revision
 * in the stored state (committed with the memo of the alerts) plus a hash of its lines, and
 * createAlert hashes (tenant, entity, invoice key, version, family "document", channel).
 */
export function lineApprovalKey(
  e: MatchException,
  occurrence: number,
  update: number,
  channel: string,
): string {
  // The approval of one line occurrence and edit: a decided line whose numbers change needs a
  // new decision, hence a new key; the same state read again gives the same key (idempotent).
  return hashParts(["line", e.invoiceKey, e.id, `o${occurrence}`, `u${update}`, channel]);
}

/** An exception's content version: occurrence, edit count and its own cause and amount. */
export function openVersion(e: MatchException, occurrence: number, update: number): string {
  const content = hashParts([e.cause, e.amountAtStake.amount, e.amountAtStake.currency]);
  return `o${occurrence}.u${update}.${content.slice(0, 16)}`;
}

export function openLine(o: OpenEntry, noApprover: boolean): DocumentLine {
  const e = o.exception;
  return {
    id: e.id,
    line: e.line,
    exception: exceptionPayload(e),
    state: "open",
    since: o.since ?? new Date(0).toISOString(),
    ...(e.costCenter ? { costCenter: e.costCenter } : {}),
    ...(o.approvalId ? { approvalId: o.approvalId } : {}),
    allowHold: e.actions.includes("hold"),
    ...(noApprover ? { noApprover: true } : {}),
  };
}

export function resolvedLine(r: ResolvedEntry): DocumentLine {
  const e = r.exception;
  const payload = exceptionPayload(e);
  return {
    id: e.id,
    line: e.line,
    // The numbers shown while it was open are stale now: keep what identifies the exception.
    exception: { ...payload, details: payload.details.filter((d) => IDENTITY.has(d.label)) },
    state: "resolved",
    resolvedReason: r.reason,
    since: r.at,
    ...(e.costCenter ? { costCenter: e.costCenter } : {}),
    ...(r.approvalId ? { approvalId: r.approvalId } : {}),
    allowHold: false,
  };
}

/** Details of an exception that stay true after it resolved. */
const IDENTITY = new Set(["Purchase order", "Other invoice", "Other invoice date"]);

export interface DocumentAlertInput {
  readonly invoice: SupplierInvoice;
  readonly invoiceKey: string;
  readonly channel: string;
  /** This version's revision (1 = the first post). */
  readonly rev: number;
  readonly lines: readonly DocumentLine[];
  readonly events: readonly DocumentEvent[];
  readonly routeNote?: string;
  readonly ask?: { users: string[]; groups: string[] };
  readonly createdAt: Date;
}

/**
 * The document alert: `exception.opened` while any line is open, `exception.resolved` once all
 * are. `needsDecision` names the first open line's approval (quiet hours wait for decisions and
 * the approvers are asked); every open line carries its own approval id.
 */
export function documentAlert(input: DocumentAlertInput): Alert {
  const lines = [...input.lines].sort(byLineNumber);
  const open = lines.filter((l) => l.state === "open");
  const first = open.find((l) => l.approvalId);
  const content = hashParts(
    lines.map((l) => `${l.id}|${l.state}|${l.approvalId ?? ""}|${l.exception.summary}`),
  );
  const single = input.events.length === 1 ? input.events[0] : undefined;
  const onlyChanges = single && single.changes.length > 0 ? single.changes : undefined;
  const costCenters = [...new Set(lines.map((l) => l.costCenter).filter((c) => c))];
  return createAlert({
    kind: open.length > 0 ? "exception.opened" : "exception.resolved",
    record: input.invoice,
    recordKey: input.invoiceKey,
    contentVersion: `d${input.rev}.${content.slice(0, 16)}`,
    channel: input.channel,
    exception: summaryPayload(lines),
    document: { lines, events: [...input.events] },
    // One line changed: its changes are the alert's (what any destination says in the thread).
    ...(onlyChanges ? { changes: onlyChanges } : {}),
    ...(costCenters.length === 1 && costCenters[0] ? { costCenter: costCenters[0] } : {}),
    ...(input.routeNote ? { routeNote: input.routeNote } : {}),
    ...(first?.approvalId
      ? {
          needsDecision: {
            approvalId: first.approvalId,
            allowHold: first.allowHold,
            ...(input.ask ? { ask: input.ask } : {}),
          },
        }
      : {}),
    createdAt: input.createdAt,
  });
}

/** The whole document as one exception payload (digests and fallbacks read `alert.exception`). */
function summaryPayload(lines: readonly DocumentLine[]): ExceptionPayload {
  const open = lines.filter((l) => l.state === "open");
  const shown = open.length > 0 ? open : lines;
  const only = lines.length === 1 ? lines[0] : undefined;
  // A document of one line is that exception, with why it resolved when it did.
  if (only) {
    return {
      ...only.exception,
      details: [
        ...(only.resolvedReason ? [{ label: "Resolved", value: only.resolvedReason }] : []),
        ...only.exception.details,
        ...(only.noApprover
          ? [
              {
                label: "Decision",
                value: `no approver is set for cost center ${only.costCenter ?? "(none)"} in routing.yml: decide in the ERP`,
              },
            ]
          : []),
      ],
    };
  }
  const severity = shown.some((l) => l.exception.severity === "critical")
    ? "critical"
    : shown.some((l) => l.exception.severity === "warning")
      ? "warning"
      : "info";
  return {
    type: "invoice_exceptions",
    title: `${shown.length} ${open.length > 0 ? "open exceptions" : "exceptions"}`,
    severity,
    summary: shown.map((l) => `${lineName(l)}: ${l.exception.summary}`).join("; "),
    details: [],
  };
}

function byLineNumber(a: DocumentLine, b: DocumentLine): number {
  const la = a.line ?? -1;
  const lb = b.line ?? -1;
  if (la !== lb) return la - lb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
