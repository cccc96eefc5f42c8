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
}): ApprovalNotifier {
  const { client, logger } = options;
  const poster = options.threadPoster ?? directThreadPoster(client, logger);
  const post = (approval: Approval, ref: MessageRef, key: string, text: string) =>
    poster({ approval, ref, key, text }).catch((err) =>
      logger.warn({ code: codeOf(err), approvalId: approval.id }, "thread notice not queued"),
    );
  const ref = (a: Approval) => (a.channel && a.ts ? { channel: a.channel, ts: a.ts } : undefined);
  return {
    async remind(a) {
      const r = ref(a);
      if (r) {
        const who = options.remindTo?.(a);
        await post(
          a,
          r,
          `remind:${a.remindedAt ?? ""}`,
          // The reply's text is all a notification shows: name the document, not "this".
          `:bell: ${who ? `${who}: reminder` : "Reminder"}: ${esc(a.title)} has waited for a decision since ${formatTime(a.createdAt)}.`,
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
      await updateApprovalMessage(client, logger, r, a, line, "keep_buttons");
      await post(
        a,
        r,
        `escalate:${a.escalatedAt ?? ""}`,
        `${line} · ${esc(a.title)}${who ? ` · ${who}, please decide.` : ""}`,
      );
    },
    async expire(a) {
      const r = ref(a);
      if (!r) return;
      const line = decisionLine({ state: "expired", ...(a.decidedAt ? { at: a.decidedAt } : {}) });
      await updateApprovalMessage(client, logger, r, a, line, "final");
      await post(
        a,
        r,
        `expire:${a.decidedAt ?? ""}`,
        `${line} · ${esc(a.title)}: no decision was made in time.`,
      );
    },
  };
}
