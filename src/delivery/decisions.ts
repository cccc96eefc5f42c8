import type { Alert } from "../alerts/alert.ts";
import type { DecisionSource, DecisionView } from "../approvals/decisions.ts";

/** Only messages that carry or may have carried buttons need a look-up. */
export function needsDecisionLookup(alert: Alert, parentTs: string | undefined): boolean {
  if (alert.kind === "digest" || alert.kind === "ops") return false;
  return alert.needsDecision !== undefined || parentTs !== undefined;
}

/** The approvals behind a message: every line's of a document, else the alert's own. */
export function approvalIdsOf(alert: Alert): string[] {
  const lines = alert.document?.lines.flatMap((l) => (l.approvalId ? [l.approvalId] : []));
  if (lines && lines.length > 0) return [...new Set(lines)];
  return alert.needsDecision ? [alert.needsDecision.approvalId] : [];
}

/**
 * Where a document's line approvals stand (one look-up per line), as one view: its first line's
 * with every line's under `lines`. Undefined for an alert that is not a multi-line document.
 */
export async function documentDecision(
  source: DecisionSource,
  alert: Alert,
): Promise<DecisionView | undefined> {
  if ((alert.document?.lines.length ?? 0) < 2) return undefined;
  const lines: Record<string, DecisionView> = {};
  for (const id of approvalIdsOf(alert)) {
    const v = await source.decisionFor({ channel: alert.channel, approvalId: id });
    if (v) lines[id] = v;
  }
  const first = Object.values(lines)[0];
  return first ? { ...first, lines } : undefined;
}
