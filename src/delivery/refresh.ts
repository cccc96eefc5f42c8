import { type Alert, alertSchema, editsInPlace, hashParts } from "../alerts/alert.ts";
import type { DecisionView } from "../approvals/decisions.ts";
import type { AuditLog } from "../audit/log.ts";
import type { Markers } from "./markers.ts";

/** What the approvals side asks for when an approval shown on a message changed. */
export interface RefreshRequest {
  /** The message: a channel's alert message or an approver's card. */
  channel: string;
  ts: string;
  /** The record the message is about (the approval's). */
  recordKey: string;
  approvalId: string;
  /** Names the change (state and when): the same key refreshes the message once. */
  key: string;
  /** The text the deciding side stamped for `state` (kept while the approval stays in it). */
  stamp?: { state: string; lines: string[] };
  /**
   * The deciding side's own write succeeded on the message showing this alert's version: no
   * refresh while that is still the subject's latest version queued (any later version is
   * rendered after the decision, and a send that raced it re-checks the approval itself).
   */
  showing?: string;
}

/** A refresh to queue, nothing to refresh (the message shows the latest version), or neither. */
export type RefreshPlan = { alert: Alert } | { current: true } | undefined;

type Sources = { audit: AuditLog; markers: Markers };

/**
 * The alert that re-renders the message `ts` in its channel's edit line, or undefined when no
 * alert of delivery's made that message (it then has nothing to re-render it from). Its content
 * is the subject's latest stored version, as a fallback only: the job renders from the version
 * delivered last when it runs (`refreshContent`).
 */
export async function refreshAlertFor(
  s: Sources,
  r: RefreshRequest,
  now: Date,
): Promise<Alert | undefined> {
  const { showing: _showing, ...always } = r;
  const plan = await planRefresh(s, always, now);
  return plan && "alert" in plan ? plan.alert : undefined;
}

/** As `refreshAlertFor`, and nothing to do when the request's `showing` is the latest version. */
export async function planRefresh(s: Sources, r: RefreshRequest, now: Date): Promise<RefreshPlan> {
  const versions = await versionsIn(s.audit, r.recordKey, r.channel);
  const subjects = [...new Set(versions.map((a) => a.subject))];
  for (const subject of subjects) {
    if ((await s.markers.subjectTs(r.channel, subject)) !== r.ts) continue;
    const template = versions.filter((a) => a.subject === subject).at(-1);
    if (!template) continue;
    if (r.showing !== undefined && template.id === r.showing) return { current: true };
    const alert = alertSchema.parse({
      ...template,
      id: hashParts([r.channel, r.ts, subject, r.key, "refresh"]),
      createdAt: now.toISOString(),
      refresh: {
        ts: r.ts,
        approvalId: r.approvalId,
        ...(r.stamp ? { stamp: r.stamp } : {}),
      },
    });
    return { alert };
  }
  return undefined;
}

/**
 * What a refresh renders: the subject's version delivered last. The refresh waits in its
 * channel's edit line behind every edit queued before it, so when it runs every older version
 * is in Slack (or dead-lettered) and none newer is; the last delivered is the one people see.
 */
export async function refreshContent(s: Sources, refresh: Alert): Promise<Alert> {
  const versions = (await versionsIn(s.audit, refresh.recordKey, refresh.channel)).filter(
    (a) => a.subject === refresh.subject,
  );
  for (const a of versions.reverse()) {
    if (await s.markers.delivered(a.id)) return a;
  }
  // Its audit entries trimmed away: the version that was latest when the refresh was asked.
  const { refresh: _refresh, ...content } = refresh;
  return content;
}

/** The decision as the deciding side stamped it, while the approval is still in that state. */
export function withStampOf(
  d: DecisionView | undefined,
  refresh: Alert["refresh"],
): DecisionView | undefined {
  const stamp = refresh?.stamp;
  if (!d || !stamp) return d;
  const line = d.lines?.[refresh.approvalId];
  // A document's line approvals: the stamped one's view carries the words.
  if (d.lines) {
    if (line?.state !== stamp.state) return d;
    return { ...d, lines: { ...d.lines, [refresh.approvalId]: { ...line, stamp: stamp.lines } } };
  }
  if (d.approvalId !== refresh.approvalId || d.state !== stamp.state) return d;
  return { ...d, stamp: stamp.lines };
}

/** The versions of a record's messages in a channel that a refresh can re-render, oldest first. */
async function versionsIn(audit: AuditLog, recordKey: string, channel: string): Promise<Alert[]> {
  const stored = await audit.storedAlerts({ recordKey, channel });
  return stored.filter((a) => !a.refresh && editsInPlace(a));
}
