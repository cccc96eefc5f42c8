/**
 * Approval lifecycle events, as src/approvals and src/slack emit them (`ApprovalAuditEvent`):
 * created with the alert, decided or refused on a click, reminded/escalated/expired by the sweep,
 * superseded when the exception resolves by itself, written back to the ERP, commented, a
 * question asked (info_requested) and answered (info_answered).
 */
export const APPROVAL_AUDIT_TYPES = [
  "approval.created",
  "approval.decided",
  "approval.refused",
  "approval.stale",
  "approval.superseded",
  "approval.reminded",
  "approval.escalated",
  "approval.expired",
  "approval.writeback",
  "approval.commented",
  "approval.info_requested",
  "approval.info_answered",
  "approval.delegated",
] as const;
export type ApprovalAuditType = (typeof APPROVAL_AUDIT_TYPES)[number];

/** What the audit log records. Types are stable strings: the CLI and dashboards filter on them. */
export const AUDIT_TYPES = [
  "alert.stored",
  "post.attempt",
  "post.result",
  "post.ambiguous",
  "post.resolved",
  /** A second message with one alert id, found after the fact: removed, or kept (people used it). */
  "post.duplicate",
  "delivered",
  "skipped",
  "digest",
  "replay",
  "dead_letter",
  "ops",
  /** A slash command: who asked what and how it ended (never the answer). */
  "command",
  ...APPROVAL_AUDIT_TYPES,
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

export function isAuditType(value: unknown): value is AuditType {
  return typeof value === "string" && (AUDIT_TYPES as readonly string[]).includes(value);
}

/** `data` of a `command` entry. */
export interface CommandAuditData {
  /** Slack user id. */
  actor: string;
  /** When Slack sent the command (ISO 8601); the entry's own `at` is when it was stored. */
  at: string;
  /** The command's text, e.g. "po 4500012". */
  command: string;
  outcome: "answered" | "help" | "rate_limited" | "refused" | "failed";
  /** Stable error code when refused or failed. */
  code?: string;
}

/** `data` of an `approval.*` entry (alert id and record key are the entry's own fields). */
export interface ApprovalAuditData {
  approvalId: string;
  /** Slack user id, or "system" for the sweep and the pipeline. */
  actor: string;
  at: string;
  /** The approval's state after the event. */
  state?: string;
  reason?: string;
  code?: string;
  /** Free text of a comment (approval.commented), a question or its answer. */
  comment?: string;
  /** Who was asked (approval.info_requested). */
  asked?: string;
  /** The approver a delegate decided for (approvals/delegation.ts). */
  onBehalfOf?: string;
}

export interface AuditInput {
  type: AuditType;
  alertId?: string;
  recordKey?: string;
  channel?: string;
  /**
   * Details (no secrets: keys that look like credentials are dropped). Shapes per type:
   * `command` → CommandAuditData, `approval.*` → ApprovalAuditData, delivery types free-form.
   */
  data?: Record<string, unknown>;
}

export interface AuditEntry extends AuditInput {
  /** Redis stream id: `<ms>-<seq>`, ordered. */
  id: string;
  /** ISO 8601 UTC from the injected clock. */
  at: string;
  /**
   * Set when the entry's data is in a form this release cannot read (written by a later one,
   * or damaged): the entry is kept, without data, and says why, instead of failing the query.
   */
  undecodable?: string;
}

export interface AuditFilter {
  alertId?: string;
  recordKey?: string;
  channel?: string;
  /** Inclusive bounds, epoch ms or Date. */
  from?: number | Date;
  to?: number | Date;
  types?: readonly AuditType[];
  limit?: number;
}

export interface AuditRetention {
  /** Approximate maximum entries in the stream (XADD MAXLEN ~). */
  maxLen?: number;
  /** Drop entries older than this (XTRIM MINID ~), applied by `trim()` (run it on a schedule). */
  maxAgeMs?: number;
}
