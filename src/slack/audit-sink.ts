import type { AuditInput } from "../audit/types.ts";
import type { SlackAuditEvent, SlackAuditFn } from "./audit-events.ts";

/**
 * Stores commands and approval events in the audit log under their own types (`command`,
 * `approval.decided`, …: src/audit/types.ts); the alert id and record key become the entry's
 * indexed fields, the rest its data.
 */
export function slackAuditToLog(log: { append(input: AuditInput): Promise<string> }): SlackAuditFn {
  return async (event: SlackAuditEvent) => {
    await log.append(auditInputOf(event));
  };
}

/** The audit log's entry for an event (also what the approvals store writes with a transition). */
export function auditInputOf(event: SlackAuditEvent): AuditInput {
  const { type, ...rest } = event;
  const data: Record<string, unknown> = { ...rest };
  const input: AuditInput = { type, data };
  if ("alertId" in event && event.alertId) input.alertId = event.alertId;
  if ("recordKey" in event && event.recordKey) input.recordKey = event.recordKey;
  delete data.alertId;
  delete data.recordKey;
  return input;
}
