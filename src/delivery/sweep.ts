import type { Alert } from "../alerts/alert.ts";
import {
  type DeliveryContext,
  type MissedLook,
  type Route,
  SWEEP_JOB,
  type SweepJobData,
} from "./context.ts";
import type { JobResult } from "./job-result.ts";
import { methodTakeScript } from "./scripts.ts";

/** A sweep is rare and runs in its own job: a long wait for a slot is fine. */
const MAX_SLOT_WAIT_MS = 60_000;

/**
 * The backstop behind the grace (ambiguity.ts): a post that followed a look-up finding nothing
 * is looked for once more, `duplicateSweepAfterMs` later. More than one message with its alert
 * id means the lost attempt landed after the grace. The one the delivered marker names stays
 * (edits, thread replies and approval buttons point to it); any other is deleted, unless people
 * replied to it, reacted to it or acted on it (an edit such as a decision stamp): deleting
 * would take that from them, so it stays and is audited for a person to look at. Only when the
 * kept message is among the copies: otherwise someone deleted it and the other is all there is.
 */
export async function sweepDuplicates(
  ctx: DeliveryContext,
  data: SweepJobData,
): Promise<JobResult> {
  const route = ctx.route(data.channel);
  const { copies: copiesOf, remove: removeOf, methods } = route.destination;
  if (!copiesOf || !removeOf) return { status: "swept", detail: "cannot_list" };
  const keep = (await ctx.markers.delivered(data.alertId))?.ts ?? data.ref;
  const copies = await paced(route, ctx, methods.lookup(data.threadRef), "lookup", () =>
    copiesOf({
      target: data.channel,
      alertId: data.alertId,
      since: data.since,
      ...(data.threadRef ? { threadRef: data.threadRef } : {}),
    }),
  );
  if (!copies.some((c) => c.ref === keep)) return { status: "swept", detail: "kept_not_found" };
  const extra = copies.filter((c) => c.ref !== keep);
  let removed = 0;
  for (const copy of extra) {
    const base = { ts: copy.ref, kept: keep };
    if (copy.touched) {
      ctx.logger.warn(
        { alertId: data.alertId, ...base, touched: copy.touched },
        "delivery: duplicate kept (people used it)",
      );
    } else {
      await paced(route, ctx, methods.remove ?? "remove", "remove", () =>
        removeOf({ target: data.channel, ref: copy.ref }),
      );
      removed++;
    }
    await ctx.audit.append({
      type: "post.duplicate",
      alertId: data.alertId,
      channel: data.channel,
      data: copy.touched
        ? { ...base, removed: false, touched: copy.touched }
        : { ...base, removed: true },
    });
  }
  return { status: "swept", detail: `${extra.length} extra, ${removed} removed` };
}

/**
 * The look-up before this post found nothing, yet the lost attempt may land after it (beyond the
 * grace): look once more later (sweep.ts). The post is in Slack: a failure here costs only the
 * backstop.
 */
export async function scheduleSweep(
  ctx: DeliveryContext,
  alert: Alert,
  ref: string,
  missed: MissedLook,
): Promise<void> {
  const after = ctx.config.duplicateSweepAfterMs;
  if (after <= 0) return;
  try {
    const data: SweepJobData = {
      channel: alert.channel,
      alertId: alert.id,
      since: missed.since,
      ref,
      ...(missed.threadTs ? { threadRef: missed.threadTs } : {}),
    };
    await ctx.checks.add(SWEEP_JOB, data, {
      jobId: `sweep-${alert.id}`,
      delay: after,
      attempts: 3,
      backoff: { type: "exponential", delay: ctx.config.retryDelayMs },
      removeOnComplete: true,
      removeOnFail: true,
    });
  } catch (err) {
    ctx.logger.warn({ err, alertId: alert.id }, "delivery: duplicate check not scheduled");
  }
}

/**
 * One call on its method's shared budget (the same keys as the pacer's and pacedFetch's: a
 * look-up at the history budget, a delete at chat.update's Tier 3 rate), and the method held for
 * everyone after a 429 (thrown: the job's retry comes after its backoff).
 */
async function paced<T>(
  route: Route,
  ctx: DeliveryContext,
  method: string,
  kind: "lookup" | "remove",
  call: () => Promise<T>,
): Promise<T> {
  const intervalMs = kind === "lookup" ? route.pace.historyIntervalMs : route.pace.updateIntervalMs;
  for (;;) {
    // A negative answer: no slot that soon (a 429 holds the method); wait and ask again.
    const wait = await methodTakeScript.run(ctx.redis, {
      keys: { tat: ctx.keys.methodTat(method) },
      args: { now: "", intervalMs, toleranceMs: 0, maxWaitMs: MAX_SLOT_WAIT_MS },
    });
    await new Promise((r) => setTimeout(r, Math.min(Math.abs(wait), MAX_SLOT_WAIT_MS)));
    if (wait >= 0) break;
  }
  try {
    return await call();
  } catch (err) {
    const outcome = route.destination.classify(err);
    if (outcome.kind === "rate_limited")
      await route.pacer.methodRateLimited(method, outcome.retryAfterMs);
    throw err;
  }
}
