import type { Job } from "bullmq";
import type { Alert } from "../alerts/alert.ts";
import { countOnce } from "../shared/count-once.ts";
import { ambiguitySettings, lookAfterFailure } from "./ambiguity.ts";
import type { DeliveryContext } from "./context.ts";
import { deadLetter } from "./dead-letter.ts";
import type { JobResult } from "./job-result.ts";
import { delay, wakeAt } from "./line.ts";

/** After the backoff, so BullMQ has parked the job by then (a job already waiting is moved too). */
const RETRY_WAKE_MARGIN_MS = 5;

/** What a failed send means for this job: hold the channel, dead letter, or retry. */
export async function handleFailure(
  ctx: DeliveryContext,
  job: Job,
  token: string | undefined,
  alert: Alert,
  err: unknown,
  parentTs: string | undefined,
): Promise<JobResult> {
  const { markers, audit, redis, keys } = ctx;
  const channel = alert.channel;
  const { destination, pacer } = ctx.route(channel);
  const outcome = destination.classify(err);
  await audit.append({
    type: outcome.kind === "ambiguous" ? "post.ambiguous" : "post.result",
    alertId: alert.id,
    recordKey: alert.recordKey,
    channel,
    data: { ok: false, ...outcome },
  });
  if (outcome.kind === "rate_limited") {
    // Not applied (HTTP 429): one wait, no attempt spent. An edit's 429 is chat.update's tier
    // (every channel's edits wait); a post's holds only its channel and teaches its pacing.
    await markers.clearInflight(alert.id);
    if (parentTs) await pacer.methodRateLimited(destination.methods.update, outcome.retryAfterMs);
    else await pacer.rateLimited(channel, outcome.retryAfterMs);
    await countOnce(redis, keys.stats, "rate_limited");
    return delay(job, token, outcome.retryAfterMs, parentTs ? undefined : ctx);
  }
  if (parentTs && destination.editGone(outcome)) {
    // The original is gone or can no longer be edited: post the new version as a new message.
    await markers.clearInflight(alert.id);
    await markers.clearSubject(channel, alert.subject);
    throw err;
  }
  if (outcome.kind === "fatal") {
    await markers.clearInflight(alert.id);
    await deadLetter(ctx, alert, outcome.reason);
    return { status: "dead_letter", detail: outcome.reason };
  }
  if (outcome.kind === "transient") await markers.clearInflight(alert.id);
  // Ambiguous: the in-flight marker stays, so the next attempt checks history before posting,
  // once the attempt can no longer land (ambiguity.ts).
  if (outcome.kind === "ambiguous")
    await markers.settleInflight(
      alert.id,
      lookAfterFailure(outcome, ctx.clock(), ambiguitySettings(ctx.config)),
    );
  const attempts = job.opts.attempts ?? 1;
  if (job.attemptsMade + 1 >= attempts) {
    await deadLetter(ctx, alert, `retries_exhausted:${outcome.reason}`);
    return { status: "dead_letter", detail: outcome.reason };
  }
  ctx.logger.info({ alertId: alert.id, channel, reason: outcome.reason }, "delivery: will retry");
  // BullMQ's backoff parks the job in "delayed" and then moves it to the BACK of the wait list:
  // with a long queue this channel's head would wait behind every other job while the rest of its
  // channel only waits for it. Once the backoff is over it goes to the front instead.
  const backoffMs = ctx.config.retryDelayMs * 2 ** job.attemptsMade;
  wakeAt(job, backoffMs + RETRY_WAKE_MARGIN_MS, ctx);
  throw err;
}
