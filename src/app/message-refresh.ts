import type { Delivery } from "../delivery/delivery.ts";
import type { MessageRefresher } from "../slack/actions/approval-messages.ts";

/**
 * The approvals side's re-render of a message (a decision stamp) as a refresh in delivery's edit
 * line. A message delivery did not make (none of its alerts has that ts) is left to the
 * immediate rewrite.
 */
export function messageRefresherVia(delivery: Pick<Delivery, "refresh">): MessageRefresher {
  return async ({ approval, ref, key, stamp }) => {
    await delivery.refresh({
      channel: ref.channel,
      ts: ref.ts,
      recordKey: approval.recordKey,
      approvalId: approval.id,
      key,
      stamp: { state: approval.state, lines: stamp.slice(0, 5) },
    });
  };
}
