import type { Money } from "../shared/money.ts";

/**
 * Life of an approval. `pending`, `hold` and `escalated` still take a decision; `approved`,
 * `rejected`, `expired` and `superseded` are final. `superseded` means the ERP moved on by
 * itself (approved, paid or changed there), so nobody decided here and the buttons are stale.
 */
export const APPROVAL_STATES = [
  "pending",
  "hold",
  "escalated",
  "approved",
  "rejected",
  "expired",
  "superseded",
] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const OPEN_STATES: readonly ApprovalState[] = ["pending", "hold", "escalated"];
export const FINAL_STATES: readonly ApprovalState[] = [
  "approved",
  "rejected",
  "expired",
  "superseded",
];

export function isOpen(state: ApprovalState): boolean {
  return OPEN_STATES.includes(state);
}

/** What an approval is about; fixed when the approval is created. */
export interface ApprovalSubject {
  /** Alert that asked for the decision (stable alert id from the sync side). */
  alertId: string;
  /** `recordKey()` of the invoice or exception record. */
  recordKey: string;
  kind: "invoice" | "exception";
  /** One line for people: "Invoice 4711 from ACME Tools". */
  title: string;
  amount: Money;
  costCenter: string;
  tenant: string;
  company: string;
  /** ERP user who entered the document, and the Slack user it maps to (segregation of duties). */
  enteredBy?: string;
  enteredBySlackId?: string;
  /** Content version of the record the alert showed (to detect a change in the ERP). */
  recordVersion: string;
}

export interface Approval extends ApprovalSubject {
  id: string;
  state: ApprovalState;
  createdAt: string;
  /** Where the alert message lives, once delivery has posted it. */
  channel?: string;
  ts?: string;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
  remindedAt?: string;
  escalatedAt?: string;
}

/** Verbs people and the scheduler can apply; each maps to one target state. */
export type ApprovalVerb = "approve" | "reject" | "hold" | "escalate" | "expire" | "supersede";

export const VERB_TARGET: Readonly<Record<ApprovalVerb, ApprovalState>> = {
  approve: "approved",
  reject: "rejected",
  hold: "hold",
  escalate: "escalated",
  expire: "expired",
  supersede: "superseded",
};

/** States a verb may leave from: everything else is refused atomically by the Lua script. */
export const VERB_FROM: Readonly<Record<ApprovalVerb, readonly ApprovalState[]>> = {
  approve: ["pending", "hold", "escalated"],
  reject: ["pending", "hold", "escalated"],
  hold: ["pending", "escalated"],
  escalate: ["pending", "hold"],
  expire: ["pending", "hold", "escalated"],
  supersede: ["pending", "hold", "escalated"],
};

/** Audit entry shape this module emits; the audit module stores it as it is. */
export interface ApprovalAuditEvent {
  type:
    | "approval.created"
    | "approval.decided"
    | "approval.refused"
    | "approval.stale"
    | "approval.superseded"
    | "approval.reminded"
    | "approval.escalated"
    | "approval.expired"
    | "approval.writeback"
    | "approval.commented";
  approvalId: string;
  alertId?: string;
  recordKey?: string;
  actor: string;
  at: string;
  state?: ApprovalState;
  reason?: string;
  code?: string;
  /** Free text of a comment (approval.commented). */
  comment?: string;
}

export type AuditFn = (event: ApprovalAuditEvent) => Promise<void> | void;
