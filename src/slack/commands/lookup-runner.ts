import { codeOf } from "../../shared/error-code.ts";
import type { RedisClient } from "../../shared/redis-client.ts";
import type { LookupService } from "../lookup-service.ts";
import { takeLookupSlot } from "../rate-limit.ts";
import type { SlackAppStats } from "../stats.ts";
import { type LookupAnswer, type LookupCommand, lookupKey, runLookup } from "./answer.ts";

export interface LookupRunnerOptions {
  redis: RedisClient;
  prefix: string;
  lookups: LookupService;
  stats: SlackAppStats;
  clock: () => number;
  /** Lookups per user per minute that reach the ERP (cache hits are free). */
  perMinute: number;
  cacheTtlSeconds: number;
}

export type LookupOutcome =
  | { kind: "answer"; answer: LookupAnswer; cached: boolean }
  | { kind: "rate_limited"; retryAfterSeconds: number }
  | { kind: "failed"; code: string };

/**
 * Short shared cache first (answers are the same for everyone and ERP data moves slowly), then a
 * per-user budget so one person can't spend the tenant's ION requests-per-minute allowance.
 */
export function createLookupRunner(o: LookupRunnerOptions) {
  return async function lookup(c: LookupCommand, userId: string): Promise<LookupOutcome> {
    const cacheKey = `${o.prefix}lookup:${lookupKey(c)}`;
    const hit = await o.redis.get(cacheKey);
    if (hit !== null) {
      o.stats.cachedLookups += 1;
      return { kind: "answer", answer: JSON.parse(hit) as LookupAnswer, cached: true };
    }
    const wait = await takeLookupSlot(
      o.redis,
      `${o.prefix}ratelimit:${userId}`,
      o.perMinute,
      o.clock(),
    );
    if (wait > 0) {
      o.stats.rateLimitedLookups += 1;
      return { kind: "rate_limited", retryAfterSeconds: wait };
    }
    let answer: LookupAnswer;
    try {
      answer = await runLookup(c, o.lookups);
    } catch (err) {
      return { kind: "failed", code: lookupFailureCode(err) };
    }
    await o.redis.set(cacheKey, JSON.stringify(answer), "EX", o.cacheTtlSeconds);
    return { kind: "answer", answer, cached: false };
  };
}

export type LookupRunner = ReturnType<typeof createLookupRunner>;

export function lookupFailureCode(err: unknown): string {
  return codeOf(err) ?? "unexpected_error";
}
