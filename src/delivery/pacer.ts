import type { Redis } from "ioredis";
import type { PaceSettings } from "./config.ts";
import type { DeliveryKeys } from "./keys.ts";
import { runScript } from "./scripts.ts";

export type TakeResult =
  | { granted: true }
  | { granted: false; reason: "not_head" | "rate" | "blocked"; waitMs: number; head: string };

/** What a send needs besides the channel and workspace buckets. */
export type SendKind = "post" | "update" | "history";

const REASONS = { 1: "not_head", 2: "rate", 3: "blocked" } as const;

/**
 * The per-channel pacer shared by all replicas: each call is one Lua script (pacer-take.lua), so
 * slots are reserved atomically whatever the number of workers.
 */
export class Pacer {
  readonly #redis: Redis;
  readonly #keys: DeliveryKeys;
  readonly #pace: PaceSettings;
  /** Test hook: a fixed clock for the script; production uses Redis server time. */
  readonly #now: (() => number) | undefined;

  constructor(redis: Redis, keys: DeliveryKeys, pace: PaceSettings, now?: () => number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#pace = pace;
    this.#now = now;
  }

  /** Put an alert in its channel's line (idempotent); returns its sequence number and rank. */
  async register(channel: string, alertId: string): Promise<{ seq: number; rank: number }> {
    const keys = [this.#keys.order(channel), this.#keys.seq(channel)];
    const [seq, rank] = (await runScript(this.#redis, "orderAdd", keys, [alertId])) as [
      number,
      number,
    ];
    return { seq: Number(seq), rank: Number(rank) };
  }

  /**
   * Roughly when an alert at `rank` in its channel's line gets its turn, ms from now: the job is
   * scheduled then, so the wait list holds only alerts that are nearly due and a hot channel's
   * backlog never queues in front of other channels' fresh alerts.
   */
  estimateWaitMs(rank: number): number {
    const p = this.#pace;
    const burst = Math.floor(p.channelToleranceMs / p.channelIntervalMs) + 1;
    return Math.max(0, rank - (burst - 1)) * p.channelIntervalMs;
  }

  async release(channel: string, alertId: string): Promise<void> {
    await this.#redis.zrem(this.#keys.order(channel), alertId);
  }

  async take(channel: string, alertId: string, kind: SendKind = "post"): Promise<TakeResult> {
    const p = this.#pace;
    const keys = [this.#keys.order(channel), this.#keys.blocked(channel)];
    const args: (string | number)[] = [this.#now ? this.#now() : "", alertId, p.channelIntervalMs];
    if (kind === "history") {
      // Reading history does not post: only the method's own tier applies.
      keys.push(this.#keys.methodTat("conversations.history"));
      args.push(p.historyIntervalMs, 0);
    } else {
      keys.push(this.#keys.tat(channel), this.#keys.workspaceTat);
      args.push(
        p.channelIntervalMs,
        p.channelToleranceMs,
        p.workspaceIntervalMs,
        p.workspaceToleranceMs,
      );
      if (kind === "update") {
        keys.push(this.#keys.methodTat("chat.update"));
        args.push(p.updateIntervalMs, 0);
      }
    }
    const [status, waitMs, head] = (await runScript(this.#redis, "pacerTake", keys, args)) as [
      number,
      number,
      string,
    ];
    if (status === 0) return { granted: true };
    const reason = REASONS[status as 1 | 2 | 3];
    // Behind the head, look again soon even when the slot is free: the head may finish any
    // moment (it also promotes the next alert when it does, but that can race with this one
    // going to sleep).
    const floor = reason === "not_head" ? Math.min(50, p.channelIntervalMs / 4) : 1;
    return { granted: false, reason, waitMs: Math.max(floor, Math.ceil(waitMs)), head };
  }

  /** A 429 for this channel: hold only this channel until Retry-After has passed. */
  async pushBack(channel: string, retryAfterMs: number): Promise<void> {
    const until = (this.#now ? this.#now() : Date.now()) + retryAfterMs;
    const key = this.#keys.blocked(channel);
    const current = Number((await this.#redis.get(key)) ?? 0);
    if (until > current) await this.#redis.set(key, String(until), "PX", retryAfterMs + 1000);
  }

  async backlog(channel: string): Promise<number> {
    return this.#redis.zcard(this.#keys.order(channel));
  }
}
