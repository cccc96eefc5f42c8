import { DelayedError, type Job } from "bullmq";
import { alertMessage, changeReplyMessage } from "../slack/blocks/alert.ts";
import { type Alert, parseAlert } from "./alert.ts";
import {
  type DeliveryContext,
  jobIdFor,
  type PostJobData,
  QUIET_END_JOB,
  type QuietEndJobData,
} from "./context.ts";
import { deadLetter } from "./dead-letter.ts";
import { maybeFloodDigest, releaseHeld } from "./digest.ts";
import { classify } from "./errors.ts";
import { quietState } from "./quiet-hours.ts";
import { alertMetadata, findPosted } from "./resolve.ts";

export type JobResult =
  | { status: "posted" | "updated" | "resolved"; ts: string }
  | { status: "duplicate" | "digested" | "held" | "dead_letter" | "released"; detail?: string };

/** A head of line with no job for this long is dropped (see dropStaleHead). */
const STALE_HEAD_MS = 30_000;

/** Margin before an in-flight attempt when scanning history (clock skew between us and Slack). */
const HISTORY_MARGIN_MS = 60_000;

/**
 * Park the job until `ms` from now without holding a worker. BullMQ wakes an idle worker for a
 * delayed job only at its next poll (measured here: a 43 ms delay became 1.2 s), so this process
 * also promotes the job itself when the time comes; if the process dies first, BullMQ's own
 * delayed handling still runs the job.
 */
async function delay(job: Job, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  const timer = setTimeout(() => {
    job.promote().catch(() => {
      // not delayed any more (promoted by the alert ahead of it, or run by BullMQ): nothing to do
    });
  }, ms);
  timer.unref();
  throw new DelayedError();
}

export function createProcessor(ctx: DeliveryContext) {
  return async function process(job: Job, token?: string): Promise<JobResult> {
    if (job.name === QUIET_END_JOB) {
      const { channel } = job.data as QuietEndJobData;
      const out = await releaseHeld(ctx, channel);
      return { status: "released", detail: `${out.length}` };
    }
    const alert = parseAlert((job.data as PostJobData).alert);
    return deliver(ctx, job, token, alert);
  };
}

async function finishSkipped(
  ctx: DeliveryContext,
  alert: Alert,
  detail: Record<string, unknown>,
): Promise<void> {
  await ctx.redis
    .multi()
    .zrem(ctx.keys.order(alert.channel), alert.id)
    .zrem(ctx.keys.pending, alert.id)
    .exec();
  await ctx.audit.append({
    type: "skipped",
    alertId: alert.id,
    recordKey: alert.recordKey,
    channel: alert.channel,
    data: detail,
  });
}

async function deliver(
  ctx: DeliveryContext,
  job: Job,
  token: string | undefined,
  alert: Alert,
): Promise<JobResult> {
  const { markers, pacer, audit, redis, keys } = ctx;
  const channel = alert.channel;

  const snap = await markers.snapshot(alert.id, channel, alert.subject);
  const done = snap.delivered;
  if (done) {
    await finishSkipped(ctx, alert, { reason: "already_delivered", ts: done.ts });
    await redis.hincrby(keys.stats, "duplicates_avoided", 1);
    return { status: "duplicate", detail: done.ts };
  }
  const digestId = snap.digestId;
  if (digestId) {
    await finishSkipped(ctx, alert, { reason: "in_digest", digestId });
    return { status: "digested", detail: digestId };
  }

  const quiet = ctx.config.quietHours[channel];
  if (quiet && alert.kind !== "ops" && alert.kind !== "digest") {
    const state = quietState(ctx.clock(), quiet);
    if (state.quiet && state.endsAt !== undefined) {
      if (alert.needsDecision) return delay(job, token, Math.max(1, state.endsAt - ctx.clock()));
      await redis.sadd(keys.held(channel), alert.id);
      await ctx.queue.add(QUIET_END_JOB, { channel } satisfies QuietEndJobData, {
        jobId: `q-${channel}-${state.endsAt}`,
        delay: Math.max(0, state.endsAt - ctx.clock()),
        removeOnComplete: true,
      });
      await finishSkipped(ctx, alert, {
        reason: "quiet_hours",
        until: new Date(state.endsAt).toISOString(),
      });
      return { status: "held", detail: new Date(state.endsAt).toISOString() };
    }
  }

  // An earlier attempt may have posted before its outcome was lost: look before posting again.
  const inflight = snap.inflight;
  if (inflight) {
    const gate = await pacer.take(channel, alert.id, "history");
    if (!gate.granted) return delay(job, token, gate.waitMs);
    const ts = await findPosted(ctx.slack, {
      channel,
      alertId: alert.id,
      since: inflight.since - HISTORY_MARGIN_MS,
      ...(inflight.threadTs ? { threadTs: inflight.threadTs } : {}),
    });
    await audit.append({
      type: "post.resolved",
      alertId: alert.id,
      recordKey: alert.recordKey,
      channel,
      data: { found: ts !== undefined, ...(ts ? { ts } : {}) },
    });
    if (ts) {
      const parentTs = inflight.threadTs ?? ts;
      await markers.markDelivered({
        alertId: alert.id,
        channel,
        subject: alert.subject,
        ts,
        at: new Date(ctx.clock()).toISOString(),
        how: "resolved",
        setSubject: inflight.mode === "post",
        parentTs,
      });
      await redis.hincrby(keys.stats, "ambiguous_found", 1);
      await promoteNext(ctx, channel);
      return { status: "resolved", ts };
    }
    await markers.clearInflight(alert.id);
  }

  const digest = await maybeFloodDigest(ctx, alert);
  if (digest) return { status: "digested", detail: digest.id };

  const editable = alert.kind !== "digest" && alert.kind !== "ops";
  const knownParent = editable ? snap.subjectTs : undefined;
  const gate = await pacer.take(channel, alert.id, knownParent ? "update" : "post");
  if (!gate.granted) {
    ctx.logger.debug(
      { alertId: alert.id, reason: gate.reason, waitMs: gate.waitMs },
      "delivery: not yet",
    );
    if (gate.reason === "not_head") await dropStaleHead(ctx, channel, gate.head);
    return delay(job, token, gate.waitMs);
  }
  // The version ahead of us may have posted the subject's message since the snapshot: look again.
  const parentTs =
    knownParent ?? (editable ? await markers.subjectTs(channel, alert.subject) : undefined);
  const mode = parentTs ? "update" : "post";

  const attemptAt = ctx.clock();
  await markers.setInflight(alert.id, {
    channel,
    since: attemptAt,
    mode,
    ...(parentTs ? { threadTs: parentTs } : {}),
  });
  // The attempt's audit entry is written while the call is under way (the alert itself was
  // stored before it was queued).
  const attemptLogged = audit.append({
    type: "post.attempt",
    alertId: alert.id,
    recordKey: alert.recordKey,
    channel,
    data: { mode, attempt: job.attemptsMade + 1 },
  });
  const message = alertMessage(alert, {
    at: new Date(attemptAt),
    ...(ctx.links ? { links: ctx.links } : {}),
  });
  const metadata = alertMetadata(alert.id);
  try {
    let ts: string;
    if (parentTs) {
      await ctx.slack.chat.update({
        channel,
        ts: parentTs,
        text: message.text,
        blocks: message.blocks,
        metadata,
      });
      const what = alert.kind === "exception.resolved" ? "Resolved" : "Updated";
      const reply = changeReplyMessage(alert.changes, new Date(attemptAt), what);
      const res = await ctx.slack.chat.postMessage({
        channel,
        thread_ts: parentTs,
        text: reply.text,
        blocks: reply.blocks,
        metadata,
      });
      ts = String(res.ts);
    } else {
      const res = await ctx.slack.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        metadata,
      });
      ts = String(res.ts);
    }
    await markers.markDelivered({
      alertId: alert.id,
      channel,
      subject: alert.subject,
      ts,
      at: new Date(ctx.clock()).toISOString(),
      how: mode,
      setSubject: mode === "post",
      parentTs: parentTs ?? ts,
    });
    // Wake the next alert of this channel now rather than when its estimate comes due.
    await promoteNext(ctx, channel);
    await attemptLogged;
    await Promise.all([
      redis.hincrby(keys.stats, mode === "post" ? "posted" : "updated", 1),
      audit.append({
        type: "post.result",
        alertId: alert.id,
        recordKey: alert.recordKey,
        channel,
        data: { ok: true, ts, mode },
      }),
    ]);
    return { status: mode === "post" ? "posted" : "updated", ts };
  } catch (err) {
    await attemptLogged;
    return handleFailure(ctx, job, token, alert, err, parentTs);
  }
}

async function handleFailure(
  ctx: DeliveryContext,
  job: Job,
  token: string | undefined,
  alert: Alert,
  err: unknown,
  parentTs: string | undefined,
): Promise<JobResult> {
  const { markers, pacer, audit, redis, keys } = ctx;
  const channel = alert.channel;
  const outcome = classify(err);
  await audit.append({
    type: outcome.kind === "ambiguous" ? "post.ambiguous" : "post.result",
    alertId: alert.id,
    recordKey: alert.recordKey,
    channel,
    data: { ok: false, ...outcome },
  });
  if (outcome.kind === "rate_limited") {
    // Not applied (HTTP 429): hold only this channel for Retry-After, spend no attempt.
    await markers.clearInflight(alert.id);
    await pacer.pushBack(channel, outcome.retryAfterMs);
    await redis.hincrby(keys.stats, "rate_limited", 1);
    return delay(job, token, outcome.retryAfterMs);
  }
  if (
    outcome.kind === "fatal" &&
    parentTs &&
    (outcome.reason === "cant_update_message" || outcome.reason === "edit_window_closed")
  ) {
    // The original can no longer be edited: post the new version as a new message instead.
    await markers.clearInflight(alert.id);
    await markers.clearSubject(channel, alert.subject);
    throw err;
  }
  if (outcome.kind === "transient" && outcome.reason === "message_not_found" && parentTs) {
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
  // Ambiguous: the in-flight marker stays, so the next attempt checks history before posting.
  const attempts = job.opts.attempts ?? 1;
  if (job.attemptsMade + 1 >= attempts) {
    await deadLetter(ctx, alert, `retries_exhausted:${outcome.reason}`);
    return { status: "dead_letter", detail: outcome.reason };
  }
  ctx.logger.info({ alertId: alert.id, channel, reason: outcome.reason }, "delivery: will retry");
  throw err;
}

/**
 * A head whose job is gone (removed by hand, or lost between registering and queueing) would
 * block its channel for ever: drop it. A head whose job still exists keeps its place.
 */
async function dropStaleHead(ctx: DeliveryContext, channel: string, head: string): Promise<void> {
  if (!head) return;
  // A young head may be between registering and queueing (enqueue in progress): leave it.
  const since = await ctx.redis.zscore(ctx.keys.pending, head);
  if (since !== null && ctx.clock() - Number(since) < STALE_HEAD_MS) return;
  const job = await ctx.queue.getJob(jobIdFor(head));
  if (job) {
    const state = await job.getState();
    if (state !== "completed" && state !== "failed" && state !== "unknown") return;
  }
  if (await ctx.markers.delivered(head)) {
    await ctx.redis.zrem(ctx.keys.order(channel), head);
    return;
  }
  ctx.logger.warn({ channel, head }, "delivery: dropping a stale head of line with no job");
  await ctx.redis.multi().zrem(ctx.keys.order(channel), head).zrem(ctx.keys.pending, head).exec();
}

/** Move the channel's new head of line from delayed to waiting, if it is delayed. */
async function promoteNext(ctx: DeliveryContext, channel: string): Promise<void> {
  const [head] = await ctx.redis.zrange(ctx.keys.order(channel), "0", "0");
  if (!head) return;
  const job = await ctx.queue.getJob(jobIdFor(head));
  if (!job) return;
  try {
    await job.promote();
  } catch (err) {
    // Not delayed any more (already waiting or running): nothing to do.
    ctx.logger.debug({ err, head }, "delivery: next head not promoted");
  }
}
