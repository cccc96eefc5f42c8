import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import type { ApprovalNotifier } from "../../approvals/sweep.ts";
import type { Approval } from "../../approvals/types.ts";
import { codeOf } from "../../shared/error-code.ts";
import { decisionLine } from "../views/approval-view.ts";
import { esc, formatTime } from "../views/format.ts";
import {
  directThreadPoster,
  type MessageRef,
  type MessageRefresher,
  type ThreadPoster,
  updateApprovalMessage,
} from "./approval-messages.ts";

/**
 * Slack side of reminders, escalation and expiry: thread replies under the alert and a stamp on
 * it. `escalateTo` names who is pinged on escalation (user group or user mention text).
 */
export function createSlackApprovalNotifier(options: {
  client: WebClient;
  logger: Logger;
  escalateTo?: (approval: Approval) => string | undefined;
  /**
   * Who a reminder is for (mention text of the eligible approvers): the reply notifies them,
   * where a bare thread reply reaches only the thread's followers.
   */
  remindTo?: (approval: Approval) => string | undefined;
  /** Thread replies through delivery (paced, exactly once); direct calls without it. */
  threadPoster?: ThreadPoster;
  /** Escalation and expiry stamps re-rendered through delivery's edit line too. */
  messageRefresher?: MessageRefresher;
}): ApprovalNotifier {
  const { client, logger } = options;
  const poster = options.threadPoster ?? directThreadPoster(client, logger);
  const refresh = options.messageRefresher;
  const post = (approval: Approval, ref: MessageRef, key: string, text: string) =>
    poster({ approval, ref, key, text }).catch((err) =>
      logger.warn({ code: codeOf(err), approvalId: approval.id }, "thread notice not queued"),
    );
  const ref = (a: Approval) => (a.channel && a.ts ? { channel: a.channel, ts: a.ts } : undefined);
  /**
   * Reminders and escalations go to the approvers, not the channel: a reply under each one's
   * card in their direct message, naming them (a mention notifies in a thread nobody follows).
   * Without cards (routing.yml approvals.dmApprovers: false) they stay in the channel's thread.
   */
  const toCards = async (a: Approval, key: string, text: (user: string) => string) => {
    const cards = (a.directCards ?? []).filter((c) => c.ts !== undefined);
    for (const c of cards) {
      await post(a, { channel: c.channel, ts: c.ts ?? "" }, key, text(`<@${c.user}>`));
    }
    return cards.length > 0;
  };
  return {
    async remind(a) {
      const key = `remind:${a.remindedAt ?? ""}`;
      const since = `has waited for a decision since ${formatTime(a.createdAt)}.`;
      // The reply's text is all a notification shows: name the document, not "this".
      if (await toCards(a, key, (you) => `:bell: ${you}: reminder: ${esc(a.title)} ${since}`)) {
        return;
      }
      const r = ref(a);
      if (r) {
        const who = options.remindTo?.(a);
        await post(
          a,
          r,
          key,
          `:bell: ${who ? `${who}: reminder` : "Reminder"}: ${esc(a.title)} ${since}`,
        );
      }
    },
    async escalate(a) {
      const r = ref(a);
      if (!r) return;
      const who = options.escalateTo?.(a);
      const line = decisionLine({
        state: "escalated",
        ...(a.escalatedAt ? { at: a.escalatedAt } : {}),
      });
      await updateApprovalMessage(client, logger, r, a, line, "keep_buttons", [], {
        refresh,
        deferred: true,
      });
      const key = `escalate:${a.escalatedAt ?? ""}`;
      if (await toCards(a, key, (you) => `${line} · ${esc(a.title)} · ${you}, please decide.`)) {
        return;
      }
      await post(a, r, key, `${line} · ${esc(a.title)}${who ? ` · ${who}, please decide.` : ""}`);
    },
    async expire(a) {
      const r = ref(a);
      if (!r) return;
      const line = decisionLine({ state: "expired", ...(a.decidedAt ? { at: a.decidedAt } : {}) });
      await updateApprovalMessage(client, logger, r, a, line, "final", [], {
        refresh,
        deferred: true,
      });
      await post(
        a,
        r,
        `expire:${a.decidedAt ?? ""}`,
        `${line} · ${esc(a.title)}: no decision was made in time.`,
      );
    },
  };
}
