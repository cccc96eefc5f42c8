import type { RoutingConfig } from "./routing-schema.ts";

/**
 * How the people who decide are asked, in words for `check-config`: mentions in the channel and,
 * unless turned off, a card in each approver's direct messages (routing.yml `approvals`).
 */
export function explainApproverAsks(config: RoutingConfig): string[] {
  const a = config.approvals;
  return [
    a.mentionApprovers
      ? "approvals: eligible approvers are @-mentioned on each exception to decide (mentionApprovers: true)"
      : "approvals: approvers are not @-mentioned (mentionApprovers: false)",
    a.dmApprovers
      ? `approvals: each eligible approver (up to ${a.dmLimit}, user-group members included, never who entered the document) also gets the decision as a card in a direct message from the app; a decision anywhere updates every card; reminders and escalations go to those direct messages, not the channel (dmApprovers: true, the default; needs the im:write and im:history scopes of manifest.yml)`
      : "approvals: no direct messages to approvers (dmApprovers: false); reminders and escalations are posted in the channel's thread",
  ];
}
