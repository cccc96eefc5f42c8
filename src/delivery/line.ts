import { DelayedError, type Job } from "bullmq";
import { type DeliveryContext, jobIdFor } from "./context.ts";
import { type MarkInput, markArgs, markKeys } from "./markers.ts";
import type { Lesson, Line } from "./pacer.ts";
import { exitPostScript, promoteFrontScript } from "./scripts.ts";

/** A head of line with no job for this long is dropped (see dropStaleHead). */
const STALE_HEAD_MS = 30_000;

/**
 * How long an alert behind its channel's head sleeps when nothing promotes it first: 5 s per
 * alert ahead of it, at most 30 s. The alert ahead promotes it when it finishes (promoteNext), so
 * this only bounds the wait when that promotion is lost (a worker killed between marking its post
 * and promoting the next). Waking sooner only finds the head still there: with Slack's limits
 * lifted (bench) the rank estimate is ~0 and every alert behind a head came back every
 * millisecond (4.4 job runs and 300 Redis commands per alert, bench/scenarios/pipeline.ts); a
 * flat 1 s or 5 s still woke deep alerts early on a machine at load 20-30 (2.2 and 3.1 runs per
 * alert), since a post there takes about a second from one to the next.
 */
const BEHIND_HEAD_PER_RANK_MS = 5_000;
const BEHIND_HEAD_MAX_MS = 30_000;

/** The wait of an alert `rank` places behind its channel's head, when not promoted before. */
export function behindHeadWaitMs(rank: number, estimateMs: number): number {
  const fallback = Math.min(BEHIND_HEAD_MAX_MS, BEHIND_HEAD_PER_RANK_MS * Math.max(1, rank));
  return Math.max(estimateMs, fallback);
}

/**
 * Park the job until `ms` from now without holding a worker (moveToDelayed + DelayedError, as
 * BullMQ documents for manual delays). This process also promotes the job when its time comes,
 * so a short wait does not depend on when an idle worker's blocking poll returns; if the process
 * dies first, BullMQ's own delayed handling still runs the job.
 * `headOf` is given when the job is the head of its channel's line (a rate wait, a 429): it is
 * then due the moment its wait ends, and goes to the front of the wait list (see
 * promote-front.lua); a job behind the head goes to the back as BullMQ puts it.
 */
export async function delay(
  job: Job,
  token: string | undefined,
  ms: number,
  headOf?: DeliveryContext,
): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  wakeAt(job, ms, headOf);
  throw new DelayedError();
}

/**
 * Park a job whose alert is behind its channel's head until the alert ahead promotes it (or
 * `behindHeadWaitMs` passes). The alert ahead may have finished between
 * this job's pacer look and its parking, when its promotion found this job still active: so look
 * once more after parking.
 */
export async function waitForTurn(
  ctx: DeliveryContext,
  job: Job,
  token: string | undefined,
  alert: { id: string; channel: string },
  line: Line,
  gate: { waitMs: number; rank: number },
): Promise<never> {
  const ms = behindHeadWaitMs(gate.rank, gate.waitMs);
  await job.moveToDelayed(Date.now() + ms, token);
  wakeAt(job, ms);
  await promoteIfDue(ctx, alert.channel, line, alert.id);
  throw new DelayedError();
}

/** Move the alert's job to the front of the wait list if the alert is due (head of its line). */
export async function promoteIfDue(
  ctx: DeliveryContext,
  channel: string,
  line: Line,
  alertId: string,
): Promise<number> {
  return promoteToFront(ctx, jobIdFor(alertId), {
    line: line === "edit" ? ctx.keys.edits(channel) : ctx.keys.order(channel),
    postLine: ctx.keys.order(channel),
    alertId,
  });
}

/** After `ms`, move the job out of delayed: to the front of the wait list for a head. */
export function wakeAt(job: Job, ms: number, headOf?: DeliveryContext): void {
  const timer = setTimeout(() => {
    const done = headOf && job.id ? promoteToFront(headOf, job.id) : job.promote();
    done.catch(() => {
      // not delayed any more (promoted by the alert ahead of it, or run by BullMQ): nothing to do
    });
  }, ms);
  timer.unref();
}

/**
 * Move a channel's due job (delayed, or anywhere in the wait list) to the front of BullMQ's wait
 * list: BullMQ puts every job leaving "delayed" at the back, behind the whole queue.
 */
export async function promoteToFront(
  ctx: Pick<DeliveryContext, "queue" | "redis">,
  jobId: string,
  due?: { line: string; postLine: string; alertId: string },
): Promise<number> {
  const q = ctx.queue;
  return promoteFrontScript.run(ctx.redis, {
    keys: {
      delayed: q.toKey("delayed"),
      wait: q.toKey("wait"),
      meta: q.toKey("meta"),
      active: q.toKey("active"),
      marker: q.toKey("marker"),
      job: q.toKey(jobId),
      events: q.toKey("events"),
    },
    args: { jobId },
    ...(due ? { tail: { keys: [due.line, due.postLine], args: [due.alertId] } } : {}),
  });
}

/**
 * A head whose job is gone (removed by hand, or lost between registering and queueing) would
 * block its channel for ever: drop it. A head whose job still exists keeps its place.
 */
export async function dropStaleHead(
  ctx: DeliveryContext,
  channel: string,
  head: string,
): Promise<void> {
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
    await ctx.route(channel).pacer.release(channel, head);
    return;
  }
  ctx.logger.warn({ channel, head }, "delivery: dropping a stale head of line with no job");
  await ctx.redis
    .multi()
    .zrem(ctx.keys.order(channel), head)
    .zrem(ctx.keys.edits(channel), head)
    .zrem(ctx.keys.pending, head)
    .exec();
}

/** Move the heads of the channel's post and edit lines from delayed to waiting, if delayed. */
export async function promoteNext(ctx: DeliveryContext, channel: string): Promise<void> {
  return promoteNextAfter(ctx, channel, undefined);
}

/**
 * The alert behind `alertId` in its channel's post line, read while `alertId` is the head (in
 * the pacer's round trip): `promoteNextAfter` promotes it in the line exit's round trip.
 */
export function successorOf(ctx: DeliveryContext, channel: string): Promise<string | undefined> {
  return ctx.redis.zrange(ctx.keys.order(channel), "1", "1").then((r) => r[0]);
}

/**
 * `promoteNext`, with the post line's next head as read before the exit (`successorOf`)
 * promoted at once, its due check inside the script: sent right after the exit, with the read of
 * the heads as they are after it, so the usual case costs the channel one round trip between a
 * post and the next instead of two. A head that turned out different (an alert that came or
 * went meanwhile), and the edit line's head, are promoted as `promoteNext` does.
 */
export async function promoteNextAfter(
  ctx: DeliveryContext,
  channel: string,
  successor: string | undefined,
): Promise<void> {
  const early = successor
    ? promoteIfDue(ctx, channel, "post", successor).catch((err: unknown) => {
        ctx.logger.debug({ err, head: successor }, "delivery: next head not promoted");
        return 0;
      })
    : undefined;
  const res = (await ctx.redis
    .multi()
    .zrange(ctx.keys.order(channel), "0", "0")
    .zrange(ctx.keys.edits(channel), "0", "0")
    .exec()) as [unknown, string[] | undefined][] | null;
  await early;
  // The two heads are independent jobs: one round trip for both (this is on the channel's
  // critical path, between one post and the next).
  const [postHead, editHead] = (res ?? []).map(([, h]) => h?.[0]);
  const heads = [postHead === successor ? undefined : postHead, editHead].filter((h): h is string =>
    Boolean(h),
  );
  await Promise.all(heads.map((head) => promote(ctx, head)));
}

async function promote(ctx: DeliveryContext, head: string): Promise<void> {
  try {
    await promoteToFront(ctx, jobIdFor(head));
  } catch (err) {
    ctx.logger.debug({ err, head }, "delivery: next head not promoted");
  }
}

/**
 * A post's line exit (markDelivered) with the pacer's lesson from it (Pacer.succeeded) before
 * it and `promoteNextAfter`'s work after it in the same command (exit-post.lua): the successor read with the claim promoted when due, and the heads read after
 * the exit; a head that turned out different, and the edit line's head, are promoted after it
 * as `promoteNextAfter` does. True when this call wrote the marker.
 */
export async function exitPost(
  ctx: DeliveryContext,
  input: MarkInput,
  successor: string,
  /** The post's success, learned first in the same step (Pacer.successLesson). */
  lesson: Lesson,
): Promise<boolean> {
  const k = ctx.keys;
  const q = ctx.queue;
  const jobId = jobIdFor(successor);
  const out = await exitPostScript.run(ctx.redis, {
    keys: {
      ...markKeys(k, input),
      edits: k.edits(input.channel),
      delayed: q.toKey("delayed"),
      wait: q.toKey("wait"),
      meta: q.toKey("meta"),
      active: q.toKey("active"),
      marker: q.toKey("marker"),
      job: q.toKey(jobId),
      events: q.toKey("events"),
      ...lesson.keys,
    },
    args: {
      ...markArgs(input, ctx.markers.ttlMs),
      successor,
      successorJobId: jobId,
      ...lesson.args,
    },
    tail: input.audit,
  });
  // As learnSuccess logs a lesson that failed on its own (processor.ts).
  if (!out.learned)
    ctx.logger.warn({ channel: input.channel }, "delivery: pacing lesson not recorded");
  const heads = [out.postHead === successor ? undefined : out.postHead, out.editHead].filter(
    (h): h is string => Boolean(h),
  );
  await Promise.all(heads.map((head) => promote(ctx, head)));
  return out.marked;
}
