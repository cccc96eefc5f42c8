import type { Money } from "../shared/money.ts";

/**
 * Life of an approval. `pending`, `hold`, `escalated` and `info_requested` (an approver asked
 * someone a question and waits for the answer) still take a decision; `approved`,
 * `rejected`, `expired` and `superseded` are final. `superseded` means the ERP moved on by
 * itself (approved, paid or changed there), so nobody decided here and the buttons are stale.
 */
export const APPROVAL_STATES = [
  "pending",
  "hold",
  "escalated",
  "info_requested",
  "approved",
  "rejected",
  "expired",
  "superseded",
] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const OPEN_STATES: readonly ApprovalState[] = [
  "pending",
  "hold",
  "escalated",
  "info_requested",
];
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
  /**
   * The invoice line an exception approval is about (null or absent: the whole invoice). A
   * line's own Approve goes to M3 as a line approval (CMS742MI) where the tenant runs the flow.
   */
  line?: number | null;
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
  /**
   * The approvers' own cards in direct messages (routing.yml approvals.dmApprovers): one per
   * asked user, in the conversation `channel`; `ts` once delivery has posted it.
   */
  directCards?: DirectCard[];
  /**
   * The words last stamped on its messages (who acted for whom, what the ERP still needs), kept
   * only for the very transition they were written for (`setStamp`): every later render of the
   * message says the same.
   */
  stamp?: string[];
  /** While `info_requested`: who was asked and who asked (Slack user ids), and the question. */
  info?: { asked: string; by: string; question: string; at: string };
}

/** An approver's card of an approval in the direct message (`channel`, a `D…` id) with `user`. */
export interface DirectCard {
  user: string;
  channel: string;
  ts?: string;
}

/** Verbs people and the scheduler can apply; each maps to one target state. */
export type ApprovalVerb =
  | "approve"
  | "reject"
  | "hold"
  | "escalate"
  | "expire"
  | "supersede"
  | "request_info"
  | "answer_info";

export const VERB_TARGET: Readonly<Record<ApprovalVerb, ApprovalState>> = {
  approve: "approved",
  reject: "rejected",
  hold: "hold",
  escalate: "escalated",
  expire: "expired",
  supersede: "superseded",
  request_info: "info_requested",
  // The answer hands it back to the approvers as a fresh pending decision.
  answer_info: "pending",
};

/** States a verb may leave from: everything else is refused atomically by the Lua script. */
export const VERB_FROM: Readonly<Record<ApprovalVerb, readonly ApprovalState[]>> = {
  // An approver who learnt the answer elsewhere may still decide while the question is open.
  approve: ["pending", "hold", "escalated", "info_requested"],
  reject: ["pending", "hold", "escalated", "info_requested"],
  hold: ["pending", "escalated"],
  // Waiting for an answer is not the approver's delay: no escalation until it comes back.
  escalate: ["pending", "hold"],
  expire: ["pending", "hold", "escalated", "info_requested"],
  supersede: ["pending", "hold", "escalated", "info_requested"],
  request_info: ["pending", "hold", "escalated"],
  answer_info: ["info_requested"],
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
    | "approval.commented"
    | "approval.info_requested"
    | "approval.info_answered"
    | "approval.delegated";
  approvalId: string;
  alertId?: string;
  recordKey?: string;
  actor: string;
  at: string;
  state?: ApprovalState;
  reason?: string;
  code?: string;
  /** Free text of a comment (approval.commented), a question or its answer. */
  comment?: string;
  /** Who was asked (approval.info_requested). */
  asked?: string;
  /** The approver a delegate decided for (approvals/delegation.ts). */
  onBehalfOf?: string;
}

export type AuditFn = (event: ApprovalAuditEvent) => Promise<void> | void;

/** An audit entry about one approval: its id, alert and record, who and when, and a code. */
export function approvalEvent(
  type: ApprovalAuditEvent["type"],
  approval: Pick<Approval, "id" | "alertId" | "recordKey">,
  actor: string,
  at: string,
  code: string,
): ApprovalAuditEvent {
  return {
    type,
    approvalId: approval.id,
    alertId: approval.alertId,
    recordKey: approval.recordKey,
    actor,
    at,
    code,
  };
}
