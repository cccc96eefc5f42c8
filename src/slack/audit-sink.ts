import type { AuditInput } from "../audit/types.ts";
import type { SlackAuditEvent, SlackAuditFn } from "./audit-events.ts";

/**
 * Stores commands and approval events in the audit log. The log's type list has no "command" or
 * "approval.*" entries yet, so they go in as "ops" with the real kind in `data.event`; once the
 * audit module adds those types, map `event.type` straight through here.
 */
export function slackAuditToLog(log: { append(input: AuditInput): Promise<string> }): SlackAuditFn {
  return async (event: SlackAuditEvent) => {
    const { type, ...rest } = event;
    const input: AuditInput = { type: "ops", data: { event: type, ...rest } };
    if ("alertId" in event && event.alertId) input.alertId = event.alertId;
    if ("recordKey" in event && event.recordKey) input.recordKey = event.recordKey;
    await log.append(input);
  };
}
