import type { ApprovalStore } from "../approvals/store.ts";
import type { Approval } from "../approvals/types.ts";
import type { Delivery } from "../delivery/delivery.ts";
import type { MessageRefresher } from "../slack/actions/approval-messages.ts";
import type { SlackMessage } from "../slack/blocks/types.ts";
import type { SlackBlock } from "../slack/views/types.ts";

/**
 * The approvals side's re-render of a message (a decision stamp) as a refresh in delivery's edit
 * line. A message delivery did not make (none of its alerts has that ts) is left to the
 * immediate rewrite. With `store`, the stamped words are kept on the approval first, so every
 * later edit of the message (a record update) says the same, not only this refresh.
 */
export function messageRefresherVia(
  delivery: Pick<Delivery, "refresh"> & Partial<Pick<Delivery, "renderNow">>,
  store?: Pick<ApprovalStore, "setStamp">,
): MessageRefresher {
  // The stamped words are kept on the approval before any write of the message (a render
  // now, a re-check's refresh, a later record edit all say the same); the refresh carries them
  // too, so a failed write only costs later edits them.
  const keepWords = async (approval: Approval, lines: string[]) => {
    const at = enteredAt(approval);
    if (store && at) {
      await store
        .setStamp(approval.id, { state: approval.state, at, lines })
        .catch(() => undefined);
    }
  };
  const refresher: MessageRefresher = async ({ approval, ref, key, stamp, showing }) => {
    const lines = stamp.slice(0, 5);
    await keepWords(approval, lines);
    return delivery.refresh({
      channel: ref.channel,
      ts: ref.ts,
      recordKey: approval.recordKey,
      approvalId: approval.id,
      key,
      stamp: { state: approval.state, lines },
      ...(showing ? { showing } : {}),
    });
  };
  if (!delivery.renderNow) return refresher;
  const renderNow = delivery.renderNow;
  refresher.renderNow = async ({ approval, ref, stamp }) => {
    await keepWords(approval, stamp.slice(0, 5));
    const now = await renderNow({
      channel: ref.channel,
      ts: ref.ts,
      recordKey: approval.recordKey,
      approvalId: approval.id,
      key: "now",
      stamp: { state: approval.state, lines: stamp.slice(0, 5) },
    });
    // Only a Slack message can be written by chat.update (a webhook target has no message).
    if (now?.destination !== "slack") return undefined;
    const message = now.message as SlackMessage;
    return {
      text: message.text,
      blocks: message.blocks as SlackBlock[],
      alertId: now.alertId,
      showing: now.showing,
    };
  };
  return refresher;
}

/** When the approval entered its state (the transition's time), where the approval says it. */
function enteredAt(a: Approval): string | undefined {
  if (a.state === "escalated") return a.escalatedAt;
  if (a.state === "info_requested") return a.info?.at;
  // Back to pending (an answer) has no time of its own on the approval: the refresh's words only.
  if (a.state === "pending") return undefined;
  return a.decidedAt;
}
