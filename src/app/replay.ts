import type { Delivery } from "../delivery/delivery.ts";
import type { ReplayFn } from "../slack/lookup-service.ts";

/** `/infor replay`: re-queue from the audit log; what was delivered stays delivered. */
export function replayFn(delivery: Delivery): ReplayFn {
  return async ({ target }) => {
    const result =
      target.by === "alert"
        ? await delivery.replay({ alertId: target.alertId })
        : await delivery.replay({ from: new Date(target.since) });
    const n = result.requeued.length;
    const done = result.alreadyDelivered.length;
    if (n === 0 && done === 0) return { ok: false, message: "Nothing in the audit log matches." };
    return {
      ok: true,
      message: `Re-queued ${n} alert${n === 1 ? "" : "s"}; ${done} already delivered (left as they are).`,
    };
  };
}
