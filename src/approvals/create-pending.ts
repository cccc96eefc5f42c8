import type { ApprovalStore } from "./store.ts";
import type { Approval, ApprovalSubject, AuditFn } from "./types.ts";

/**
 * The sync side calls this when an alert needs a decision, before delivery renders the buttons
 * (their value is the returned `approval.id`). Calling it again for the same alert is harmless.
 */
export async function createPendingApproval(
  deps: { store: ApprovalStore; audit?: AuditFn },
  subject: ApprovalSubject,
): Promise<Approval> {
  const { approval, created } = await deps.store.create(subject);
  if (created && deps.audit) {
    await deps.audit({
      type: "approval.created",
      approvalId: approval.id,
      alertId: subject.alertId,
      recordKey: subject.recordKey,
      actor: "system",
      at: approval.createdAt,
      state: "pending",
    });
  }
  return approval;
}
