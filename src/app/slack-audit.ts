import type { AuditLog } from "../audit/log.ts";
import type { SlackAuditEvent } from "../slack/audit-events.ts";

/**
 * Slack-side audit events (commands, approval decisions) into the audit log. The log's types are
 * the delivery vocabulary, so these go in as `ops` entries with the event name in `data.event`.
 */
export function slackAuditToLog(audit: AuditLog) {
  return async (e: SlackAuditEvent): Promise<void> => {
    const { type, ...rest } = e;
    await audit.append({
      type: "ops",
      ...("alertId" in e && e.alertId ? { alertId: e.alertId } : {}),
      ...("recordKey" in e && e.recordKey ? { recordKey: e.recordKey } : {}),
      data: { event: type, ...rest },
    });
  };
}
