import type { Alert } from "../alerts/alert.ts";

// The approvals side's view of a message (approvals/decisions.ts owns it); re-exported for
// src/slack/blocks/decision.ts until it imports it from there.
export type { DecisionSource, DecisionView } from "../approvals/decisions.ts";

/** Only messages that carry or may have carried buttons need a look-up. */
export function needsDecisionLookup(alert: Alert, parentTs: string | undefined): boolean {
  if (alert.kind === "digest" || alert.kind === "ops") return false;
  return alert.needsDecision !== undefined || parentTs !== undefined;
}
