import { z } from "zod";
import { DEFAULT_LEARN, type LearnSettings } from "./pacing-math.ts";

/** A daily window in a time zone, e.g. 22:00–07:00 Europe/Stockholm (may cross midnight). */
export const quietHoursSchema = z.object({
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "expected HH:MM" }),
  end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "expected HH:MM" }),
  timeZone: z.string().default("UTC"),
  /** ISO weekdays 1 (Mon) … 7 (Sun) on which the window starts; all days when absent. */
  days: z.array(z.number().int().min(1).max(7)).optional(),
});
export type QuietHours = z.infer<typeof quietHoursSchema>;

export const deliveryConfigSchema = z.object({
  /** Queue name (BullMQ); keys also carry the connection prefix. */
  queueName: z.string().default("slack-delivery"),
  /**
   * Slack documents about 1 message per second per channel with short bursts tolerated
   * (docs.slack.dev/apis/web-api/rate-limits). `timeScale` multiplies every rate, for the
   * sandbox emulator's faster clock; keep 1 against Slack.
   */
  timeScale: z.number().positive().default(1),
  channelPerSecond: z.number().positive().default(1),
  /**
   * Pin the messages a channel may send back to back (no learning). Unset (the default), each
   * channel starts with no burst and learns what Slack allows (pacing-math.ts): Slack publishes
   * no burst size, so the product must not depend on one.
   */
  channelBurst: z.number().int().min(1).optional(),
  /** How the per-channel allowance is learned (see pacing-math.ts for each setting). */
  learn: z
    .object({
      start: z.number().min(-1).max(3).default(DEFAULT_LEARN.start),
      max: z.number().min(0).max(10).default(DEFAULT_LEARN.max),
      step: z.number().positive().max(1).default(DEFAULT_LEARN.step),
      margin: z.number().positive().max(2).default(DEFAULT_LEARN.margin),
      holdSuccesses: z.number().int().min(1).default(DEFAULT_LEARN.holdSuccesses),
    })
    .prefault({}),
  /**
   * Workspace-wide cap on chat.postMessage across all channels. Slack has one and publishes no
   * figure: this is the most we send; 429s in idle channels teach a lower rate.
   */
  workspacePerSecond: z.number().positive().default(20),
  workspaceBurst: z.number().int().min(1).default(10),
  /** chat.update is a Tier 3 method: 50+ per minute. */
  updatePerMinute: z.number().positive().default(50),
  /** conversations.history / replies (Tier 3) used to resolve ambiguous posts. */
  historyPerMinute: z.number().positive().default(50),
  /**
   * Calls of chat.update and of each look-up method that may go back to back beyond their
   * steady rate (routing.yml delivery.methodBurst; pacedFetch takes the same figure on the same
   * budgets). Slack's tiers tolerate "sporadic bursts" (Tier 3) with no figure, so none by
   * default: a slot no edit was ready for is lost rather than risk a 429 where Slack allows none.
   */
  methodBurst: z.number().int().min(0).default(0),
  /** Attempts for transient failures (5xx, timeouts) before the dead letter. */
  attempts: z.number().int().min(1).default(6),
  retryDelayMs: z.number().int().min(0).default(2000),
  /** Per-call timeout; a timeout after sending is an ambiguous outcome. */
  requestTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * After an ambiguous outcome nobody answered (timeout, reset, a gateway's 502/504), how long
   * past the moment our client gave up the request may still be applied by Slack: the look-up
   * for the alert id waits until then, so it cannot run before a late post lands and post it
   * twice. chat.postMessage has no idempotency key and Slack publishes no such figure, so the
   * default is cautious: a minute, the idle timeout common load balancers keep a request open
   * for. Its cost is one channel waiting (timeout + this) once per such outcome. Real ms: it is
   * Slack's processing, not a rate, so `timeScale` does not shorten it. See README.md.
   */
  ambiguousGraceMs: z.number().int().min(0).default(60_000),
  /**
   * After a post that followed a look-up finding nothing, look once more this much later: a
   * second message with the same alert id means the first attempt landed after the grace. The
   * copy the delivered marker does not name is deleted (chat.delete) when nobody replied to,
   * reacted to or acted on it, and audited either way (`post.duplicate`). 0 turns it off.
   */
  duplicateSweepAfterMs: z
    .number()
    .int()
    .min(0)
    .default(5 * 60_000),
  /** How long BullMQ may lose sight of a worker before its job runs again elsewhere. */
  lockDurationMs: z.number().int().positive().default(30_000),
  stalledIntervalMs: z.number().int().positive().default(15_000),
  /** Delivered and subject markers expire after this (a replay later than that posts anew). */
  markerTtlMs: z
    .number()
    .int()
    .positive()
    .default(90 * 24 * 3600 * 1000),
  /** How far back the ambiguity check looks in the channel's history, ms before the attempt. */
  historyLookbackMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60 * 1000),
  digests: z
    .object({
      enabled: z.boolean().default(true),
      /** Roll pending alerts into a digest when the channel's backlog would take longer than this to drain. */
      drainThresholdMs: z.number().int().positive().default(60_000),
      maxItems: z.number().int().min(2).default(200),
    })
    .prefault({}),
  opsChannel: z.string().optional(),
  /** One ops alert per error code per window, however many alerts fail in it. */
  opsBurstWindowMs: z
    .number()
    .int()
    .positive()
    .default(15 * 60 * 1000),
  quietHours: z.record(z.string(), quietHoursSchema).default({}),
});
export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;
export type DeliveryConfigInput = z.input<typeof deliveryConfigSchema>;

export interface PaceSettings {
  channelIntervalMs: number;
  /** pinned burst tolerance (channelBurst), or undefined to learn per channel */
  channelToleranceMs?: number | undefined;
  learn: LearnSettings;
  /** how long a channel's learned allowance is kept after its last post */
  learnTtlMs: number;
  workspaceIntervalMs: number;
  workspaceToleranceMs: number;
  updateIntervalMs: number;
  historyIntervalMs: number;
  /** chat.update's and the look-ups' burst tolerance, ms (methodBurst intervals) */
  updateToleranceMs: number;
  historyToleranceMs: number;
}

/** GCRA settings from the config: interval = 1/rate, tolerance = (burst - 1) intervals. */
export function paceSettings(c: DeliveryConfig): PaceSettings {
  const ch = 1000 / (c.channelPerSecond * c.timeScale);
  const ws = 1000 / (c.workspacePerSecond * c.timeScale);
  return {
    channelIntervalMs: ch,
    channelToleranceMs: c.channelBurst === undefined ? undefined : (c.channelBurst - 1) * ch,
    learn: { ...DEFAULT_LEARN, ...c.learn },
    learnTtlMs: 7 * 86_400_000,
    workspaceIntervalMs: ws,
    workspaceToleranceMs: (c.workspaceBurst - 1) * ws,
    updateIntervalMs: 60_000 / (c.updatePerMinute * c.timeScale),
    historyIntervalMs: 60_000 / (c.historyPerMinute * c.timeScale),
    updateToleranceMs: (c.methodBurst * 60_000) / (c.updatePerMinute * c.timeScale),
    historyToleranceMs: (c.methodBurst * 60_000) / (c.historyPerMinute * c.timeScale),
  };
}
