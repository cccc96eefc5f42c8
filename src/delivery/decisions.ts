import type { Alert } from "../alerts/alert.ts";

/** Only messages that carry or may have carried buttons need a look-up. */
export function needsDecisionLookup(alert: Alert, parentTs: string | undefined): boolean {
  if (alert.kind === "digest" || alert.kind === "ops") return false;
  return alert.needsDecision !== undefined || parentTs !== undefined;
}
