import type { PreparedAuditEntry } from "../audit/log.ts";
import type { ScriptArg } from "../shared/lua-script.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type { PaceSettings } from "./config.ts";
import type { DeliveryKeys } from "./keys.ts";
import { DEFAULT_WORKSPACE_LEARN } from "./pacing-math.ts";
import {
  CLAIM_LOOK,
  claimPostScript,
  type LearnArg,
  type LearnKey,
  orderAddScript,
  pacerLearnScript,
  pacerTakeScript,
  TAKE_CODE,
} from "./scripts.ts";

export type TakeResult =
  | { granted: true }
  | {
      granted: false;
      reason: "not_head" | "rate" | "blocked" | "not_in_line";
      waitMs: number;
      head: string;
      /** not_head: alerts ahead of this one (1 for an edit waiting for an older post). */
      rank: number;
    };

/**
 * A plain post's claim (claim-post.lua): `look` when the alert's markers call for the full path
 * (nothing taken); else the take's answer, with the alert behind it when granted.
 */
export type ClaimResult =
  | { look: true }
  | ({ look: false } & (
      | { granted: true; successor: string | undefined }
      | Exclude<TakeResult, { granted: true }>
    ));

/** What claimPost writes when granted, besides the slot. */
export interface PostClaim {
  subject: string;
  /** The alert edits its subject's message once there is one: a subject marker means "look". */
  editable: boolean;
  /** The in-flight marker: the attempt's start, its thread, how long it is kept. */
  since: number;
  threadTs?: string | undefined;
  markerTtlMs: number;
  /**
   * The attempt's audit entry (post.attempt), from AuditLog.prepare; none when the caller writes
   * it itself (after the marker reached the replicas it waits for).
   */
  audit?: PreparedAuditEntry | undefined;
}

/**
 * What a send needs: a new message (channel + workspace), an edit (chat.update), a look-up in
 * the channel (conversations.history) or in a thread (conversations.replies: the `method` argument).
 */
export type SendKind = "post" | "update" | "history";

/** The channel line an alert waits in: new messages, or edits of messages already posted. */
export type Line = "post" | "edit";

const REASONS = {
  [TAKE_CODE.notHead]: "not_head",
  [TAKE_CODE.rate]: "rate",
  [TAKE_CODE.blocked]: "blocked",
  [TAKE_CODE.notInLine]: "not_in_line",
} as const;

/** A lesson's keys and arguments (pacer-learn.lua's; learn-step.lua's in a script of its own). */
export interface Lesson {
  keys: Record<LearnKey, string>;
  args: Record<LearnArg, ScriptArg>;
}

export interface Learned {
  allowance: number;
  factor: number;
  blame: "" | "channel" | "workspace";
}

/**
 * The per-channel pacer shared by all replicas: each call is one Lua script (pacer-take.lua,
 * pacer-learn.lua; a post's success is learned in its line exit, exit-post.lua), so slots are reserved and lessons recorded atomically whatever the number of
 * workers. What it learns per channel (how far ahead of one per second Slack lets it post) is in
 * pacing-math.ts.
 */
export class Pacer {
  readonly #redis: RedisClient;
  readonly #keys: DeliveryKeys;
  readonly #pace: PaceSettings;
  /** Test hook: a fixed clock for the script; production uses Redis server time. */
  readonly #now: (() => number) | undefined;

  constructor(redis: RedisClient, keys: DeliveryKeys, pace: PaceSettings, now?: () => number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#pace = pace;
    this.#now = now;
  }

  #lineKey(channel: string, line: Line): string {
    return line === "edit" ? this.#keys.edits(channel) : this.#keys.order(channel);
  }

  /**
   * Put an alert in one of its channel's lines (idempotent; both lines share the channel's
   * sequence, so an edit knows which posts are older); returns its sequence number and rank.
   */
  async register(
    channel: string,
    alertId: string,
    line: Line = "post",
  ): Promise<{ seq: number; rank: number }> {
    return orderAddScript.run(this.#redis, {
      keys: { line: this.#lineKey(channel, line), seq: this.#keys.seq(channel) },
      args: { member: alertId },
    });
  }

  /** Move an alert from the post line to the edit line, keeping its sequence number. */
  async toEditLine(channel: string, alertId: string): Promise<void> {
    const seq = await this.#redis.zscore(this.#keys.order(channel), alertId);
    if (seq === null) return;
    await this.#redis
      .multi()
      .zadd(this.#keys.edits(channel), seq, alertId)
      .zrem(this.#keys.order(channel), alertId)
      .exec();
  }

  /**
   * Back from the edit line to the post line, keeping its sequence number: the message it was to
   * edit is gone (not found, no longer editable), so it posts anew, in its place among the posts.
   */
  async toPostLine(channel: string, alertId: string): Promise<boolean> {
    const seq = await this.#redis.zscore(this.#keys.edits(channel), alertId);
    if (seq === null) return false;
    await this.#redis
      .multi()
      .zadd(this.#keys.order(channel), seq, alertId)
      .zrem(this.#keys.edits(channel), alertId)
      .exec();
    return true;
  }

  /** Which line an alert is registered in (post when in neither). */
  async lineOf(channel: string, alertId: string): Promise<Line> {
    return (await this.#redis.zscore(this.#keys.edits(channel), alertId)) === null
      ? "post"
      : "edit";
  }

  /**
   * Roughly when an alert at `rank` in its channel's line gets its turn, ms from now: the job is
   * scheduled then, so the wait list holds only alerts that are nearly due and a hot channel's
   * backlog never queues in front of other channels' fresh alerts. Assumes the most burst a
   * channel may learn: an early estimate only costs a look at the pacer, a late one a slot.
   */
  estimateWaitMs(rank: number): number {
    const p = this.#pace;
    const extra = p.channelToleranceMs ?? Math.max(0, p.learn.max) * p.channelIntervalMs;
    const burst = Math.floor(extra / p.channelIntervalMs) + 1;
    return Math.max(0, rank - (burst - 1)) * p.channelIntervalMs;
  }

  async release(channel: string, alertId: string): Promise<void> {
    await this.#redis
      .multi()
      .zrem(this.#keys.order(channel), alertId)
      .zrem(this.#keys.edits(channel), alertId)
      .exec();
  }

  async take(
    channel: string,
    alertId: string,
    kind: SendKind = "post",
    line: Line = "post",
    /**
     * The destination's method a look-up or an edit calls (Slack's by default): each has its own
     * budget, shared with pacedFetch's for Slack.
     */
    method?: string,
  ): Promise<TakeResult> {
    const p = this.#pace;
    const k = this.#keys;
    const fixed =
      p.channelToleranceMs === undefined ? "" : p.channelToleranceMs / p.channelIntervalMs;
    // The buckets this send needs (the script's tail): keys, and interval, tolerance, mode each.
    const buckets: string[] = [];
    const bucketArgs: (string | number)[] = [];
    if (kind === "history") {
      // A look-up does not post: only its method's own tier applies (history and replies are
      // two Tier 3 methods, two budgets).
      buckets.push(k.methodTat(method ?? "conversations.history"));
      bucketArgs.push(p.historyIntervalMs, p.historyToleranceMs, "fixed");
    } else if (kind === "update") {
      // An edit is not a new message: its method's budget (Slack's chat.update: Tier 3 for the
      // workspace), no channel slot.
      buckets.push(k.methodTat(method ?? "chat.update"));
      bucketArgs.push(p.updateIntervalMs, p.updateToleranceMs, "fixed");
    } else {
      buckets.push(k.tat(channel), k.workspaceTat);
      bucketArgs.push(
        p.channelIntervalMs,
        0,
        "chan",
        p.workspaceIntervalMs,
        p.workspaceToleranceMs,
        "ws",
      );
    }
    const { status, waitMs, head, rank } = await pacerTakeScript.run(this.#redis, {
      keys: {
        line: this.#lineKey(channel, line),
        blocked: k.blocked(channel),
        pace: k.pace(channel),
        workspacePace: k.workspacePace,
        postLine: k.order(channel),
      },
      args: {
        now: this.#now ? this.#now() : "",
        member: alertId,
        channelIntervalMs: p.channelIntervalMs,
        startAllowance: p.learn.start,
        fixedAllowance: fixed,
        learnTtlMs: p.learnTtlMs,
        line,
      },
      tail: { keys: buckets, args: bucketArgs },
    });
    if (status === TAKE_CODE.granted) return { granted: true };
    const reason = REASONS[status as keyof typeof REASONS];
    // Behind the head the wait is the rank estimate; the alert ahead promotes this one when it
    // finishes (line.ts waitForTurn).
    return { granted: false, reason, waitMs: Math.max(1, Math.ceil(waitMs)), head, rank };
  }

  /**
   * `take` of a post slot, with what the job did around it in round trips of their own: the
   * markers' checks before it (delivered, in a digest, in flight, a subject message to edit) and,
   * when granted, the in-flight marker and the attempt's audit entry after it (claim-post.lua).
   * On the channel's critical path, between one post and the next: one round trip instead of
   * three.
   */
  async claimPost(channel: string, alertId: string, claim: PostClaim): Promise<ClaimResult> {
    const p = this.#pace;
    const k = this.#keys;
    const { status, waitMs, head, rank, successor } = await claimPostScript.run(this.#redis, {
      keys: {
        line: k.order(channel),
        blocked: k.blocked(channel),
        pace: k.pace(channel),
        workspacePace: k.workspacePace,
        postLine: k.order(channel),
        tat: k.tat(channel),
        workspaceTat: k.workspaceTat,
        delivered: k.delivered(alertId),
        digested: k.digested(alertId),
        inflight: k.inflight(alertId),
        subject: k.subject(channel, claim.subject),
      },
      args: {
        now: this.#now ? this.#now() : "",
        member: alertId,
        channelIntervalMs: p.channelIntervalMs,
        startAllowance: p.learn.start,
        fixedAllowance:
          p.channelToleranceMs === undefined ? "" : p.channelToleranceMs / p.channelIntervalMs,
        learnTtlMs: p.learnTtlMs,
        line: "post",
        // The buckets of a post, as `take` passes them.
        chanInterval: p.channelIntervalMs,
        chanTolerance: 0,
        chanMode: "chan",
        wsInterval: p.workspaceIntervalMs,
        wsTolerance: p.workspaceToleranceMs,
        wsMode: "ws",
        editable: claim.editable ? "1" : "0",
        since: claim.since,
        threadTs: claim.threadTs ?? "",
        channel,
        ttlMs: claim.markerTtlMs,
      },
      ...(claim.audit ? { tail: claim.audit } : {}),
    });
    if (status === CLAIM_LOOK) return { look: true };
    if (status === TAKE_CODE.granted) return { look: false, granted: true, successor };
    const reason = REASONS[status as keyof typeof REASONS];
    return {
      look: false,
      granted: false,
      reason,
      waitMs: Math.max(1, Math.ceil(waitMs)),
      head,
      rank,
    };
  }

  /**
   * A post went through: the channel may have room for a little more burst, and its next slot
   * counts from now at the earliest (Slack had the post by now, maybe later than its grant).
   * Call it before the post leaves its line, so the next head is never granted first.
   */
  succeeded(channel: string): Promise<Learned> {
    return this.#learn(channel, "ok", 0);
  }

  /**
   * A chat.postMessage 429: one wait of Retry-After for this channel (no catch-up burst after
   * it), and a lesson for the channel's allowance, or for the workspace's rate when the channel
   * had been idle (its own limit cannot have been reached).
   */
  rateLimited(channel: string, retryAfterMs: number): Promise<Learned> {
    return this.#learn(channel, "429", retryAfterMs);
  }

  /** A 429 on another method (chat.update, conversations.*): hold that method for everyone. */
  async methodRateLimited(method: string, retryAfterMs: number): Promise<void> {
    const until = (this.#now ? this.#now() : Date.now()) + retryAfterMs;
    const key = this.#keys.methodTat(method);
    const current = Number((await this.#redis.get(key)) ?? 0);
    if (until > current) await this.#redis.set(key, String(until), "PX", retryAfterMs + 1000);
  }

  /** Kept for callers from before learning: a 429 for this channel. */
  async pushBack(channel: string, retryAfterMs: number): Promise<void> {
    await this.rateLimited(channel, retryAfterMs);
  }

  /**
   * `succeeded`'s lesson as keys and arguments, for a script that learns it in the same step as
   * its own work (exit-post.lua, the post's line exit): one script per post instead of two.
   */
  successLesson(channel: string): Lesson {
    return this.#lesson(channel, "ok", 0);
  }

  async #learn(channel: string, event: "ok" | "429", retryAfterMs: number): Promise<Learned> {
    const learned = await pacerLearnScript.run(
      this.#redis,
      this.#lesson(channel, event, retryAfterMs),
    );
    return { ...learned, blame: learned.blame as Learned["blame"] };
  }

  /** pacer-learn.lua's keys and arguments for one outcome. */
  #lesson(channel: string, event: "ok" | "429", retryAfterMs: number): Lesson {
    const p = this.#pace;
    const l = p.learn;
    const w = DEFAULT_WORKSPACE_LEARN;
    const k = this.#keys;
    return {
      keys: {
        pace: k.pace(channel),
        workspacePace: k.workspacePace,
        blocked: k.blocked(channel),
        tat: k.tat(channel),
      },
      args: {
        now: this.#now ? this.#now() : "",
        event,
        retryAfterMs,
        channelIntervalMs: p.channelIntervalMs,
        start: l.start,
        min: l.min,
        max: l.max,
        step: l.step,
        margin: l.margin,
        holdSuccesses: l.holdSuccesses,
        workspaceDecrease: w.decrease,
        workspaceIncrease: w.increase,
        workspaceMinFactor: w.minFactor,
        learnTtlMs: p.learnTtlMs,
        fixed: p.channelToleranceMs === undefined ? "0" : "1",
      },
    };
  }

  async backlog(channel: string): Promise<number> {
    return this.#redis.zcard(this.#keys.order(channel));
  }
}
