import type { ApprovalStore } from "../../approvals/store.ts";
import type { Approval } from "../../approvals/types.ts";

/**
 * Whether a click on this approval decides one line of an invoice's message (several exception
 * lines, each with its own approval, on one message) or the document itself (a single
 * exception). Read from our store (the approvals attached to the same message), never from the
 * click's payload.
 */
export async function lineScope(
  store: ApprovalStore,
  approval: Approval,
): Promise<"line" | undefined> {
  if (approval.kind !== "exception" || !approval.channel || !approval.ts) return undefined;
  const siblings = await store.forRecord(approval.recordKey, 50);
  // Another exception on the message (its title names rule and line); an earlier approval of the
  // same exception (decided before its numbers changed) is not another line.
  const others = siblings.filter(
    (a) =>
      a.id !== approval.id &&
      a.title !== approval.title &&
      a.channel === approval.channel &&
      a.ts === approval.ts,
  );
  return others.length > 0 ? "line" : undefined;
}
