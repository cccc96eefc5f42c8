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
   * The deciding side's own write succeeded with what `renderNow` gave it (its `showing`): no
   * refresh while that version is still the subject's latest queued and the approvals on the
   * message still stand as they were rendered (any later version is rendered after the
   * decision; a send of delivery's that raced it re-checks the approval itself).
   */
  showing?: string;
}

/**
 * A refresh to queue, the subject's latest version queued (what a render must show) and its
 * versions, oldest first (read once for the plan and the render).
 */
export type RefreshPlan = { alert: Alert; latest: string; versions: Alert[] } | undefined;

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
  return (await planRefresh(s, r, now))?.alert;
}

/** As `refreshAlertFor`, with the id of the subject's latest version queued. */
export async function planRefresh(s: Sources, r: RefreshRequest, now: Date): Promise<RefreshPlan> {
  const versions = await versionsIn(s.audit, r.recordKey, r.channel);
  const subjects = [...new Set(versions.map((a) => a.subject))];
  for (const subject of subjects) {
    if ((await s.markers.subjectTs(r.channel, subject)) !== r.ts) continue;
    const template = versions.filter((a) => a.subject === subject).at(-1);
    if (!template) continue;
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
    return { alert, latest: template.id, versions: versions.filter((a) => a.subject === subject) };
  }
  return undefined;
}

/**
 * What a render showed (`renderNow`'s `showing`): the version and where the message's approvals
 * stood, without the stamped words (kept on the approval right after a render, they change
 * nothing a person decides on).
 */
export function showingToken(alertId: string, decision: DecisionView | undefined): string {
  const states = JSON.stringify(decision ?? null, (k, v: unknown) =>
    k === "stamp" ? undefined : v,
  );
  return `${alertId}|${hashParts([states])}`;
}

/**
 * What a refresh renders: the subject's version delivered last. The refresh waits in its
 * channel's edit line behind every edit queued before it, so when it runs every older version
 * is in Slack (or dead-lettered) and none newer is; the last delivered is the one people see.
 */
export async function refreshContent(
  s: Sources,
  refresh: Alert,
  /** The subject's versions when already read (a plan's). */
  read?: Alert[],
): Promise<Alert> {
  const versions =
    read ??
    (await versionsIn(s.audit, refresh.recordKey, refresh.channel)).filter(
      (a) => a.subject === refresh.subject,
    );
  for (const a of [...versions].reverse()) {
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
