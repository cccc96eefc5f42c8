/** What the audit log records. Types are stable strings: the CLI and dashboards filter on them. */
export const AUDIT_TYPES = [
  "alert.stored",
  "post.attempt",
  "post.result",
  "post.ambiguous",
  "post.resolved",
  "delivered",
  "skipped",
  "digest",
  "replay",
  "dead_letter",
  "ops",
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

export interface AuditInput {
  type: AuditType;
  alertId?: string;
  recordKey?: string;
  channel?: string;
  /** Free-form details (no secrets: keys that look like credentials are dropped). */
  data?: Record<string, unknown>;
}

export interface AuditEntry extends AuditInput {
  /** Redis stream id: `<ms>-<seq>`, ordered. */
  id: string;
  /** ISO 8601 UTC from the injected clock. */
  at: string;
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
