import type { Alert } from "../alerts/alert.ts";
import type { ApprovalState } from "../approvals/types.ts";

/** Where an approval shown on a message stands, as far as rendering needs it. */
export interface DecisionView {
  approvalId: string;
  state: ApprovalState;
  /** Slack user id of who decided or held it ("system" for the scheduler). */
  by?: string;
  at?: string;
  reason?: string;
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

/** Only messages that carry or may have carried buttons need a look-up. */
export function needsDecisionLookup(alert: Alert, parentTs: string | undefined): boolean {
  if (alert.kind === "digest" || alert.kind === "ops") return false;
  return alert.needsDecision !== undefined || parentTs !== undefined;
}
