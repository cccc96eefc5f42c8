import type { DecisionSource, DecisionView } from "../delivery/decisions.ts";
import type { ApprovalStore } from "./store.ts";
import type { Approval } from "./types.ts";

/** The approval store as delivery needs it when it posts or edits an alert message. */
export function approvalDecisions(store: ApprovalStore): DecisionSource {
  return {
    async decisionFor(q) {
      const a = q.approvalId
        ? await store.get(q.approvalId)
        : q.ts
          ? await store.forMessage(q.channel, q.ts)
          : undefined;
      return a ? viewOf(a) : undefined;
    },
    attach: (approvalId, channel, ts) => store.attachMessage(approvalId, channel, ts),
  };
}

function viewOf(a: Approval): DecisionView {
  return {
    approvalId: a.id,
    state: a.state,
    ...(a.decidedBy ? { by: a.decidedBy } : {}),
    ...(a.decidedAt
      ? { at: a.decidedAt }
      : a.state === "escalated" && a.escalatedAt
        ? { at: a.escalatedAt }
        : {}),
    ...(a.reason ? { reason: a.reason } : {}),
  };
}
