import type { ApprovalStore } from "./store.ts";
import type { Approval, ApprovalState } from "./types.ts";

/** Where an approval shown on a message stands, as far as rendering needs it. */
export interface DecisionView {
  approvalId: string;
  state: ApprovalState;
  /** Slack user id of who decided or held it ("system" for the scheduler). */
  by?: string;
  at?: string;
  reason?: string;
  /**
   * The words the deciding side stamped (who acted for whom, what the ERP still needs), when
   * known: shown instead of the plain line built from the fields above.
   */
  stamp?: readonly string[];
  /**
   * A document message (one per invoice) carries one approval per exception line: where each
   * stands, by approval id. The fields above are then its first line's.
   */
  lines?: Readonly<Record<string, DecisionView>>;
}

/**
 * The approvals side, seen from delivery. A later version of a message is rendered from the new
 * alert alone, which knows nothing of clicks made since: without this, an edit drops the
 * decision stamp, or the buttons of a still pending approval when the new alert has none.
 */
export interface DecisionSource {
  /**
   * The approval to show on a message: the alert's own (`approvalId`), else the last one whose
   * buttons sat on that message (`channel` + `ts`). Undefined when there is none.
   */
  decisionFor(q: {
    approvalId?: string;
    channel: string;
    ts?: string;
  }): Promise<DecisionView | undefined>;
  /** Remember which message carries the approval's buttons (after each post or edit). */
  attach(approvalId: string, channel: string, ts: string): Promise<void>;
}

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
    ...(a.stamp && a.stamp.length > 0 ? { stamp: a.stamp } : {}),
  };
}
