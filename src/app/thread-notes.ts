import { type Alert, createAlert, hashParts } from "../alerts/alert.ts";
import type { ThreadPoster } from "../slack/actions/approval-messages.ts";

/** Slack's section text limit; our notices are far below it (a reason caps at 500). */
const MAX_NOTE = 3000;

/**
 * Thread replies of the approvals side (comments, decision notices, reminders) as `note` alerts
 * on delivery's queue: stored before sending, paced with the rest of their channel (a 429 holds
 * the channel instead of losing the reply) and posted once per key, however often it is sent.
 */
export function threadPosterVia(enqueue: (alert: Alert) => Promise<void>): ThreadPoster {
  return async ({ approval, ref, text, key }) => {
    await enqueue(
      createAlert({
        kind: "note",
        channel: ref.channel,
        tenant: approval.tenant,
        entity: "approval",
        recordKey: approval.recordKey,
        contentVersion: hashParts([approval.id, key]),
        note: { text: [...text].slice(0, MAX_NOTE).join(""), threadTs: ref.ts },
        ...(approval.costCenter ? { costCenter: approval.costCenter } : {}),
      }),
    );
  };
}
