import type { ApprovalAuditEvent } from "../approvals/types.ts";

/** A slash command as the audit log records it (who, what, outcome; never the answer itself). */
export interface CommandAuditEvent {
  type: "command";
  actor: string;
  at: string;
  command: string;
  outcome: "answered" | "help" | "rate_limited" | "refused" | "failed";
  code?: string;
}

export type SlackAuditEvent = ApprovalAuditEvent | CommandAuditEvent;
export type SlackAuditFn = (event: SlackAuditEvent) => Promise<void> | void;

/** Audit must never break an answer: failures are logged by the caller's logger. */
export async function safeAudit(
  audit: SlackAuditFn | undefined,
  event: SlackAuditEvent,
  onError: (err: unknown) => void,
): Promise<void> {
  if (!audit) return;
  try {
    await audit(event);
  } catch (err) {
    onError(err);
  }
}
