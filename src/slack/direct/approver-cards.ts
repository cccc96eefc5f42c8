import type { Logger } from "pino";
import { type Alert, decisionsAsked, directCardAlert } from "../../alerts/alert.ts";
import type { ApprovalStore } from "../../approvals/store.ts";
import { type Approval, isOpen } from "../../approvals/types.ts";
import { slackErrorCode } from "../commands/register.ts";

export interface ApproverCardsDeps {
  store: ApprovalStore;
  /** Who may decide the approval: Slack users and user groups (routing.yml approver bands). */
  eligible: (approval: Approval) => { users: string[]; groups: string[] };
  /** Members of a Slack user group (cached; usergroups.users.list). */
  groupMembers: (group: string) => Promise<ReadonlySet<string>>;
  /** The app's direct message with a user (im-channels.ts); undefined: cannot be messaged. */
  openIm: (user: string) => Promise<string | undefined>;
  /** At most this many approvers get a card per approval (routing.yml approvals.dmLimit). */
  limit: number;
}

/**
 * The approvers' cards of a channel alert that asks for decisions (each exception line of an
 * invoice's message has its own approval, so its own card): one per eligible approver
 * (users, then members of the user groups; never who entered the document), each in the app's
 * direct message with that person, registered on the approval before it is queued so that the
 * posted card and clicks on it are bound to the approval. A later version of the alert gives a
 * later version of every card already sent (delivery edits them in place, stamped when
 * decided); new cards only while the approval is open.
 */
export async function approverCards(deps: ApproverCardsDeps, alert: Alert): Promise<Alert[]> {
  // Cards are made from the channel's alert only: never from a card, a copy or a reply.
  if (alert.needsDecision?.dm || alert.mirrorOf || alert.reply) return [];
  const out: Alert[] = [];
  for (const asked of decisionsAsked(alert)) {
    const approval = await deps.store.get(asked.approvalId);
    if (!approval) continue;
    const cards = new Map((approval.directCards ?? []).map((c) => [c.user, c.channel]));
    if (isOpen(approval.state) && !asked.resolved) {
      for (const user of await askedUsers(deps, approval)) {
        if (cards.size >= deps.limit) break;
        if (cards.has(user)) continue;
        const im = await deps.openIm(user);
        if (im) cards.set(user, im);
      }
    }
    for (const [user, im] of cards) {
      await deps.store.expectDirectCard(approval.id, user, im);
      out.push(directCardAlert(alert, asked, user, im));
    }
  }
  return out;
}

/**
 * Who is asked, in order: the users the bands name, then the members of their user groups (a
 * named approver comes before a group's member when `limit` cuts the list).
 */
async function askedUsers(deps: ApproverCardsDeps, approval: Approval): Promise<string[]> {
  const who = deps.eligible(approval);
  const users = new Set(who.users);
  const members = new Set<string>();
  for (const group of who.groups) {
    for (const member of await deps.groupMembers(group)) members.add(member);
  }
  const ordered = [...users, ...[...members].filter((m) => !users.has(m)).sort()];
  // Segregation of duties: whoever entered the document may not decide it, so is not asked.
  return ordered.filter((u) => u !== approval.enteredBySlackId && /^[UW][A-Z0-9]+$/.test(u));
}

/**
 * Delivery's enqueue with the approvers' cards: the channel alert first, then its cards. A card
 * that cannot be made (Slack down while opening a DM) is logged and the channel alert stands:
 * the channel message and its mentions still ask the approvers.
 */
export function withApproverCards(
  enqueue: (alert: Alert) => Promise<void>,
  deps: ApproverCardsDeps,
  logger: Logger,
): (alert: Alert) => Promise<void> {
  return async (alert) => {
    await enqueue(alert);
    let cards: Alert[];
    try {
      cards = await approverCards(deps, alert);
    } catch (err) {
      const code = slackErrorCode(err);
      logger.warn(
        { code, alertId: alert.id },
        code === "missing_scope"
          ? "approver cards need the im:write scope: reinstall the app from manifest.yml (or set approvals.dmApprovers: false); the channel message still asks"
          : "approver cards not queued: the channel message still asks",
      );
      return;
    }
    for (const card of cards) await enqueue(card);
  };
}
