import type { Delivery } from "../delivery/delivery.ts";
import type { ReplayFn } from "../slack/lookup-service.ts";

const UNIT_MS = { h: 3_600_000, d: 86_400_000 } as const;

/** `/infor replay since …`: a date (UTC midnight) or hours/days back from now. */
export function replayStart(since: string, now: number): Date | undefined {
  const rel = /^(\d{1,3})([hd])$/.exec(since.trim());
  if (rel) return new Date(now - Number(rel[1]) * UNIT_MS[rel[2] as "h" | "d"]);
  if (/^\d{4}-\d{2}-\d{2}$/.test(since.trim())) {
    const d = new Date(`${since.trim()}T00:00:00Z`);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

/** `/infor replay`: re-queue from the audit log; what was delivered stays delivered. */
export function replayFn(delivery: Delivery, clock: () => number = Date.now): ReplayFn {
  return async ({ target }) => {
    let result: Awaited<ReturnType<Delivery["replay"]>>;
    if (target.by === "alert") result = await delivery.replay({ alertId: target.alertId });
    else {
      const from = replayStart(target.since, clock());
      if (!from) return { ok: false, message: `"${target.since}" is not a start date.` };
      result = await delivery.replay({ from });
    }
    const n = result.requeued.length;
    const done = result.alreadyDelivered.length;
    if (n === 0 && done === 0) return { ok: false, message: "Nothing in the audit log matches." };
    return {
      ok: true,
      message: `Re-queued ${n} alert${n === 1 ? "" : "s"}; ${done} already delivered (left as they are).`,
    };
  };
}
