import type { Job } from "bullmq";
import {
  type Alert,
  editsInPlace,
  hashParts,
  isPeriodSummary,
  parseAlert,
  threadReplyAlert,
} from "../alerts/alert.ts";
import type { DecisionView } from "../approvals/decisions.ts";
import { countOnce } from "../shared/count-once.ts";
import { ambiguitySettings, lookupDueAt } from "./ambiguity.ts";
import {
  type DeliveryContext,
  type MissedLook,
  type PostJobData,
  QUIET_END_JOB,
  type QuietEndJobData,
} from "./context.ts";
import { approvalIdsOf, documentDecision, needsDecisionLookup } from "./decisions.ts";
import { maybeFloodDigest, mayFloodDigest, releaseHeld } from "./digest.ts";
import { handleFailure } from "./failure.ts";
import type { JobResult } from "./job-result.ts";
import {
  delay,
  dropStaleHead,
  exitPost,
  promoteNext,
  promoteNextAfter,
  successorOf,
  waitForTurn,
} from "./line.ts";
import type { MarkInput } from "./markers.ts";
import type { Line, TakeResult } from "./pacer.ts";
import { quietState } from "./quiet-hours.ts";
import { refreshAlertFor, refreshContent, withStampOf } from "./refresh.ts";
import { scheduleSweep } from "./sweep.ts";

/** Margin before an in-flight attempt when scanning history (clock skew between us and Slack). */
const HISTORY_MARGIN_MS = 60_000;
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
    .zrem(ctx.keys.edits(alert.channel), alert.id)
    .zrem(ctx.keys.pending, alert.id)
    .exec();
  // The alerts behind it sleep until the alert ahead promotes them (line.ts waitForTurn).
  await promoteNext(ctx, alert.channel);
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
  const { markers, audit, redis, keys } = ctx;
  const channel = alert.channel;
  const { destination, pacer } = ctx.route(channel);
  const editable = destination.edits && editsInPlace(alert);
  // A note is a reply in an existing thread: looked for there when its outcome is in doubt.
  const noteThread = alert.note?.threadTs;

  // A plain post (the usual job): markers, slot, in-flight marker and attempt entry in one round
  // trip. Anything else, or markers that call for a look, take the full path below.
  if (plainPost(ctx, alert)) {
    const attemptAt = ctx.clock();
    const threadTs = alert.reply?.threadTs ?? noteThread;
    const attempt = {
      type: "post.attempt",
      alertId: alert.id,
      recordKey: alert.recordKey,
      channel,
      data: { mode: "post", attempt: job.attemptsMade + 1 },
    } as const;
    // With replicas to wait for, the attempt is logged once the marker is on them, as before.
    const late = markers.waitsForReplicas;
    const claim = await pacer.claimPost(channel, alert.id, {
      subject: alert.subject,
      editable,
      since: attemptAt,
      threadTs,
      markerTtlMs: markers.ttlMs,
      audit: late ? undefined : audit.prepare(attempt),
    });
    if (!claim.look) {
      if (!claim.granted) return notGranted(ctx, job, token, alert, "post", undefined, claim);
      await markers.confirmInflight(alert.id);
      return send(ctx, job, token, alert, {
        parentTs: undefined,
        attemptAt,
        attemptLogged: late ? audit.append(attempt) : Promise.resolve(""),
        successor: Promise.resolve(claim.successor),
      });
    }
  }

  const snap = await markers.snapshot(alert.id, channel, alert.subject);
  const done = snap.delivered;
  if (done) {
    await finishSkipped(ctx, alert, { reason: "already_delivered", ts: done.ts });
    await countOnce(redis, keys.stats, "duplicates_avoided");
    return { status: "duplicate", detail: done.ts };
  }
  const digestId = snap.digestId;
  if (digestId) {
    await finishSkipped(ctx, alert, { reason: "in_digest", digestId });
    return { status: "digested", detail: digestId };
  }

  const quiet = ctx.config.quietHours[channel];
  // A note or a refresh answers something a person just did in Slack (a comment, a decision):
  // never held.
  const answers = alert.kind === "note" || alert.refresh !== undefined;
  if (quiet && alert.kind !== "ops" && alert.kind !== "digest" && !answers) {
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
  // An edit needs no look: an update is idempotent, doing it again is the check. A destination
  // that cannot be asked gets the same alert id again (its receiver de-duplicates by it).
  const inflight = snap.inflight;
  if (inflight && (inflight.mode === "update" || !destination.find)) {
    if (inflight.mode === "post") {
      await audit.append({
        type: "post.resolved",
        alertId: alert.id,
        recordKey: alert.recordKey,
        channel,
        data: { found: false, resend: true },
      });
    }
    await markers.clearInflight(alert.id);
  } else if (inflight && destination.find) {
    // A look before the attempt can no longer land may miss a post still on its way (no
    // idempotency key in chat.postMessage): the alert keeps its place at the head and waits,
    // since later edits and replies may need its message; without edits it waits aside.
    const dueAt = lookupDueAt(inflight, ambiguitySettings(ctx.config));
    if (dueAt > ctx.clock()) {
      ctx.logger.debug({ alertId: alert.id, dueAt }, "delivery: look-up waits for a late landing");
      if (!destination.edits) return waitAside(ctx, job, token, alert, dueAt);
      return delay(job, token, dueAt - ctx.clock(), ctx);
    }
    // Without edits there is only the post line, and the alert may have waited aside: back in
    // it (idempotent when it never left).
    if (!destination.edits) await pacer.register(channel, alert.id);
    const line: Line = destination.edits ? await pacer.lineOf(channel, alert.id) : "post";
    // A reply is looked for in its thread (conversations.replies), on that method's budget.
    const lookup = destination.methods.lookup(inflight.threadTs);
    const gate = await pacer.take(channel, alert.id, "history", line, lookup);
    if (!gate.granted && gate.reason === "not_in_line")
      return outOfLine(ctx, job, token, alert, line);
    if (!gate.granted) return delay(job, token, gate.waitMs);
    let ts: string | undefined;
    try {
      ts = await destination.find({
        target: channel,
        alertId: alert.id,
        since: inflight.since - HISTORY_MARGIN_MS,
        ...(inflight.threadTs ? { threadRef: inflight.threadTs } : {}),
      });
    } catch (err) {
      const outcome = destination.classify(err);
      if (outcome.kind !== "rate_limited") throw err;
      await pacer.methodRateLimited(lookup, outcome.retryAfterMs);
      return delay(job, token, outcome.retryAfterMs);
    }
    const resolved = {
      type: "post.resolved",
      alertId: alert.id,
      recordKey: alert.recordKey,
      channel,
      data: { found: ts !== undefined, ...(ts ? { ts } : {}) },
    } as const;
    if (ts) {
      const parentTs = inflight.threadTs ?? ts;
      await markers.markDelivered({
        alertId: alert.id,
        channel,
        subject: alert.subject,
        ts,
        at: new Date(ctx.clock()).toISOString(),
        how: "resolved",
        setSubject: inflight.mode === "post" && !alert.reply,
        parentTs,
        stat: "ambiguous_found",
        audit: audit.prepare(resolved),
      });
      if (destination.decisions) await attachDecision(ctx, alert, parentTs);
      await promoteNext(ctx, channel);
      return { status: "resolved", ts };
    }
    // Kept with the job before the marker goes: the post may come in a later run of this job.
    const missed: MissedLook = {
      since: inflight.since - HISTORY_MARGIN_MS,
      ...(inflight.threadTs ? { threadTs: inflight.threadTs } : {}),
    };
    await job.updateData({ ...(job.data as PostJobData), missed } satisfies PostJobData);
    await audit.append(resolved);
    await markers.clearInflight(alert.id);
  }

  // A refresh only re-renders its message: gone, or replaced by a new post, there is nothing to do.
  if (alert.refresh && snap.subjectTs !== alert.refresh.ts) {
    await finishSkipped(ctx, alert, { reason: "message_gone", ts: alert.refresh.ts });
    return { status: "skipped", detail: alert.refresh.ts };
  }

  const digest = await maybeFloodDigest(ctx, alert);
  if (digest) return { status: "digested", detail: digest.id };

  const knownParent = editable ? snap.subjectTs : undefined;
  const line = knownParent ? await pacer.lineOf(channel, alert.id) : "post";
  const taking = knownParent
    ? pacer.take(channel, alert.id, "update", line, destination.methods.update)
    : pacer.take(channel, alert.id, "post", line);
  // The version ahead of us may have posted the subject's message since the snapshot: look again,
  // in the take's round trip. Sent right after it on the same connection (a deployment's keys
  // share one node), Redis reads it after the grant, as a read after the answer would.
  const lookAgain =
    editable && !knownParent ? markers.subjectTs(channel, alert.subject) : undefined;
  // Not granted: the answer is not needed (a failed read then fails nothing).
  lookAgain?.catch(() => undefined);
  // A post's next in line, promoted in the line exit's round trip (line.ts promoteNextAfter).
  const successor = knownParent ? undefined : successorOf(ctx, channel);
  successor?.catch(() => undefined);
  const gate = await taking;
  if (!gate.granted) return notGranted(ctx, job, token, alert, line, knownParent, gate);
  const parentTs = knownParent ?? (await lookAgain);
  if (parentTs && !knownParent) {
    // Granted a post slot, but it is an edit after all: it goes again as one.
    return delay(job, token, 1);
  }
  const mode = parentTs ? "update" : "post";

  const attemptAt = ctx.clock();
  const threadTs = parentTs ?? alert.reply?.threadTs ?? noteThread;
  await markers.setInflight(alert.id, {
    channel,
    since: attemptAt,
    mode,
    ...(threadTs ? { threadTs } : {}),
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
  return send(ctx, job, token, alert, { parentTs, attemptAt, attemptLogged, successor });
}

/**
 * A plain post: no refresh to re-render, no quiet hours holding it now, no flood digest it could
 * start. Its job can claim its send in one step (Pacer.claimPost); whether it is delivered, in
 * a digest, in flight or an edit after all, the claim's markers say (then the full path).
 */
function plainPost(ctx: DeliveryContext, alert: Alert): boolean {
  if (alert.refresh) return false;
  if (mayFloodDigest(ctx, alert)) return false;
  const quiet = ctx.config.quietHours[alert.channel];
  return !quiet || !quietState(ctx.clock(), quiet).quiet;
}

/** The pacer said not yet: wait for the turn, the slot or the 429's end, without a worker. */
async function notGranted(
  ctx: DeliveryContext,
  job: Job,
  token: string | undefined,
  alert: Alert,
  line: Line,
  knownParent: string | undefined,
  gate: Exclude<TakeResult, { granted: true }>,
): Promise<JobResult> {
  const channel = alert.channel;
  if (gate.reason === "not_in_line") return outOfLine(ctx, job, token, alert, line);
  ctx.logger.debug(
    { alertId: alert.id, reason: gate.reason, waitMs: gate.waitMs },
    "delivery: not yet",
  );
  if (gate.reason === "not_head") {
    await dropStaleHead(ctx, channel, gate.head);
    return waitForTurn(ctx, job, token, alert, line, gate);
  }
  // An edit at the head of the post line waiting for chat.update's tier would hold every new
  // message behind it: it moves to the edit line (posts win; see pacer-take.lua).
  if (knownParent && line === "post") {
    await ctx.route(channel).pacer.toEditLine(channel, alert.id);
    await promoteNext(ctx, channel);
    return delay(job, token, gate.waitMs);
  }
  // The post line's head waiting for its channel's slot is due when the wait ends: front of the
  // wait list. An edit waits for chat.update's tier, one bucket for every channel's edits: at
  // the front they would all wake together, ahead of the posts in the wait list (posts win).
  const front = !knownParent;
  return delay(job, token, gate.waitMs, front ? ctx : undefined);
}

/**
 * The send itself, once granted with its in-flight marker written: render, post or edit, then
 * the delivered marker and the line exit, the next in line promoted in the same round trip.
 */
async function send(
  ctx: DeliveryContext,
  job: Job,
  token: string | undefined,
  alert: Alert,
  s: {
    /** The message this alert edits (an update), or undefined for a new post. */
    parentTs: string | undefined;
    attemptAt: number;
    /** The attempt's audit entry being written (already written: resolved). */
    attemptLogged: Promise<string>;
    /** The alert behind this one in its post line, read while this one was the head. */
    successor: Promise<string | undefined> | undefined;
  },
): Promise<JobResult> {
  const { audit, markers } = ctx;
  const channel = alert.channel;
  const { destination, pacer } = ctx.route(channel);
  const { parentTs, attemptAt, attemptLogged, successor } = s;
  const mode = parentTs ? "update" : "post";
  const noteThread = alert.note?.threadTs;
  // A refresh shows its subject's version delivered last, with the approval as it stands now.
  const content = alert.refresh ? await refreshContent(ctx, alert) : alert;
  const decided =
    destination.decisions && !alert.reply ? await decisionOf(ctx, content, parentTs) : undefined;
  const message = destination.render(content, {
    at: new Date(attemptAt),
    decision: withStampOf(decided, alert.refresh),
  });
  try {
    let ts: string;
    if (parentTs) {
      // The message keeps the metadata of the version it shows.
      await destination.update({ target: channel, ref: parentTs, alert: content, message });
      ts = parentTs;
      // A period summary (routing.yml noise: digest) grows by edits: a thread reply per added
      // line would be the noise the digest exists to avoid. A refresh changes nothing to say:
      // the decision's notice is a note of its own.
      if (!isPeriodSummary(alert) && !alert.refresh) {
        // The note under the message is an alert of its own, in the channel's post line: queued
        // before this edit is marked delivered, so a crash in between redoes the (idempotent)
        // edit and finds the reply already queued.
        await ctx.enqueue(threadReplyAlert(alert, parentTs));
      }
    } else {
      const inThread = alert.reply?.threadTs ?? noteThread;
      ts = await destination.post({
        target: channel,
        alert,
        message,
        ...(inThread ? { threadRef: inThread } : {}),
      });
    }
    // The attempt's entry goes first so the stream keeps attempt before result.
    await attemptLogged;
    // Before the line exit: the next post's slot counts from now, when Slack had this one at the
    // latest (tatAfterSuccess in pacing-math.ts); after it, the next head could already be granted.
    // With a successor to promote, the lesson is the line exit's first step (exit-post.lua).
    // Otherwise the lesson, the marker (the line exit) and the read of the next heads go in one
    // round trip: sent back to back on one connection (a deployment's keys share one node),
    // Redis runs them in this order.
    // A failed read of the next in line only costs the promotion's shortcut.
    const next = successor ? await successor.catch(() => undefined) : undefined;
    const direct = mode === "post" && next !== undefined;
    const learned = mode === "post" && !direct ? learnSuccess(ctx, channel) : undefined;
    const mark: MarkInput = {
      alertId: alert.id,
      channel,
      subject: alert.subject,
      ts,
      at: new Date(ctx.clock()).toISOString(),
      how: mode,
      setSubject: mode === "post" && !alert.reply,
      parentTs: parentTs ?? ts,
      stat: mode === "post" ? "posted" : alert.refresh ? "refreshed" : "updated",
      audit: audit.prepare({
        type: "post.result",
        alertId: alert.id,
        recordKey: alert.recordKey,
        channel,
        data: { ok: true, ts, mode },
      }),
    };
    // Wake the next alert of this channel now rather than when its estimate comes due: the
    // channel's next slot waits on nothing else. An edit leaves its line first (release). With
    // the successor known, the exit and its promotion are one command (exit-post.lua).
    const marked = direct
      ? exitPost(ctx, mark, next, pacer.successLesson(channel))
      : markers.markDelivered(mark);
    const promoted = mode === "post" && !direct ? promoteNextAfter(ctx, channel, next) : undefined;
    await learned;
    try {
      await marked;
    } finally {
      // Settled either way: a failed marker is this attempt's failure, not an unhandled one.
      await promoted;
    }
    if (mode === "update") {
      await pacer.release(channel, alert.id);
      await promoteNext(ctx, channel);
    }
    const missed = (job.data as PostJobData).missed;
    if (missed && mode === "post") await scheduleSweep(ctx, alert, ts, missed);
    if (!alert.reply && destination.decisions) {
      await attachDecision(ctx, content, parentTs ?? ts);
      await recheckDecision(ctx, content, parentTs, ts, decided);
    }
    return { status: mode === "post" ? "posted" : "updated", ts };
  } catch (err) {
    await attemptLogged;
    return handleFailure(ctx, job, token, alert, err, parentTs);
  }
}

/**
 * The late-landing wait of a destination without edits or threads (a webhook: each alert is a
 * delivery of its own, nothing later in the line needs this one first): the alert leaves its
 * line for the wait and the line goes on; it queues again, behind what came meanwhile, when the
 * look-up is due. Held at the head, each dropped connection stopped the whole webhook for the
 * grace (60 s by default): a receiver dropping 1 % of ten sends a second fell behind for good.
 */
async function waitAside(
  ctx: DeliveryContext,
  job: Job,
  token: string | undefined,
  alert: Alert,
  dueAt: number,
): Promise<never> {
  await ctx.route(alert.channel).pacer.release(alert.channel, alert.id);
  await promoteNext(ctx, alert.channel);
  return delay(job, token, Math.max(1, dueAt - ctx.clock()));
}

/**
 * The pacer refused this alert because it is in neither of its channel's lines. The usual cause:
 * the head of the line rolled it into a flood digest after this job's snapshot (the digest posts
 * it; posting it alone too would show it twice). Otherwise it was delivered meanwhile, or dropped
 * as a stale head: it queues again rather than post outside the line.
 */
async function outOfLine(
  ctx: DeliveryContext,
  job: Job,
  token: string | undefined,
  alert: Alert,
  line: Line,
): Promise<JobResult> {
  const snap = await ctx.markers.snapshot(alert.id, alert.channel, alert.subject);
  if (snap.delivered) {
    await finishSkipped(ctx, alert, { reason: "already_delivered", ts: snap.delivered.ts });
    await countOnce(ctx.redis, ctx.keys.stats, "duplicates_avoided");
    return { status: "duplicate", detail: snap.delivered.ts };
  }
  if (snap.digestId) {
    await finishSkipped(ctx, alert, { reason: "in_digest", digestId: snap.digestId });
    return { status: "digested", detail: snap.digestId };
  }
  // An edit whose message is gone posts anew: it left the edit line for the post line.
  const { pacer } = ctx.route(alert.channel);
  if (line === "post" && (await pacer.toPostLine(alert.channel, alert.id))) {
    return delay(job, token, 1);
  }
  ctx.logger.warn(
    { alertId: alert.id, channel: alert.channel },
    "delivery: alert out of its line, queued again",
  );
  await pacer.register(alert.channel, alert.id, line);
  return delay(job, token, 1);
}

/** The post is in Slack: a failed lesson (Redis gone) must not make it look undelivered. */
async function learnSuccess(ctx: DeliveryContext, channel: string): Promise<void> {
  try {
    await ctx.route(channel).pacer.succeeded(channel);
  } catch (err) {
    ctx.logger.warn({ err, channel }, "delivery: pacing lesson not recorded");
  }
}

/** What the approvals side says about the message this alert posts or edits (see decisions.ts). */
export async function decisionOf(
  ctx: DeliveryContext,
  alert: Alert,
  parentTs: string | undefined,
): Promise<DecisionView | undefined> {
  if (!ctx.decisions || !needsDecisionLookup(alert, parentTs)) return undefined;
  // A failed look-up fails the attempt (retried): posting without it would drop a stamp.
  if ((alert.document?.lines.length ?? 0) > 1) return documentDecision(ctx.decisions, alert);
  return ctx.decisions.decisionFor({
    channel: alert.channel,
    ...(alert.needsDecision ? { approvalId: alert.needsDecision.approvalId } : {}),
    ...(parentTs ? { ts: parentTs } : {}),
  });
}

/**
 * The approval on the message changed while this alert was rendered and sent (a click between
 * the two): what Slack now shows may be this send's render without the decision, written over
 * the click's stamp. A refresh of the message then renders it again behind this send, so the
 * decision's own write needs no refresh of its own when it succeeded (see
 * src/slack/README.md, "Decision stamps"). One look-up per message carrying an approval.
 */
async function recheckDecision(
  ctx: DeliveryContext,
  alert: Alert,
  parentTs: string | undefined,
  ts: string,
  rendered: DecisionView | undefined,
): Promise<void> {
  if (!ctx.decisions || !needsDecisionLookup(alert, parentTs)) return;
  try {
    // Looked up as for the render, so only a change of the approval makes the two differ.
    const now = await decisionOf(ctx, alert, parentTs);
    const seen = JSON.stringify(rendered ?? null);
    const current = JSON.stringify(now ?? null);
    // A record update's edit names no approval: the message's (found by its ts) is the one.
    const approvalId = now?.approvalId ?? rendered?.approvalId ?? approvalIdsOf(alert)[0];
    if (current === seen || !approvalId) return;
    // The sending alert in the key: two sends that rendered the same stale view each get
    // their refresh (the first may be delivered before the second lands).
    await queueRecheckRefresh(
      ctx,
      alert,
      ts,
      `recheck:${hashParts([alert.id, seen, current])}`,
      approvalId,
    );
  } catch (err) {
    // Not knowing whether the approval moved: refresh anyway (it renders what holds then).
    ctx.logger.warn({ err, alertId: alert.id }, "delivery: decision re-check failed");
    await queueRecheckRefresh(ctx, alert, ts, `recheck:${alert.id}:unknown:${ctx.clock()}`).catch(
      (e: unknown) =>
        ctx.logger.warn({ err: e, alertId: alert.id }, "delivery: refresh not queued"),
    );
  }
}

async function queueRecheckRefresh(
  ctx: DeliveryContext,
  alert: Alert,
  ts: string,
  key: string,
  approvalId = approvalIdsOf(alert)[0] ?? "",
): Promise<void> {
  const refresh = await refreshAlertFor(
    ctx,
    { channel: alert.channel, ts, recordKey: alert.recordKey, approvalId, key },
    new Date(ctx.clock()),
  );
  if (refresh) await ctx.enqueue(refresh);
}

/** The message is in Slack: a failure here only costs the next edit its look-up by message. */
async function attachDecision(
  ctx: DeliveryContext,
  alert: Alert,
  messageTs: string,
): Promise<void> {
  if (!ctx.decisions) return;
  try {
    // A document message carries every line's approval: each is attached to it.
    for (const id of approvalIdsOf(alert)) await ctx.decisions.attach(id, alert.channel, messageTs);
  } catch (err) {
    ctx.logger.warn({ err, alertId: alert.id }, "delivery: attaching the approval failed");
  }
}
