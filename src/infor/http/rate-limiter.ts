import type { RedisClient } from "../../shared/redis-client.ts";
import { type Clock, systemClock } from "../clock.ts";
import { rpmGcraScript } from "./scripts.ts";

/**
 * Client-side requests-per-minute budget per tenant. ION gateway limits are admin policies per
 * API (spike arrest rejects with 429 above `maxRequestsPerPeriod`, ionapi-auth.md §5); we stay
 * under the budget ourselves so a 429 is an exception, not the pacing mechanism.
 * `acquire()` waits for the next slot (pacing); it never fails for being over budget.
 */
export interface RateLimiter {
  acquire(): Promise<void>;
}

export interface BudgetOptions {
  /** Requests per window (ION budgets: 100 to 3,000 a minute). */
  limit: number;
  /** Window in ms (default 60,000); tests and benches shrink it. */
  windowMs?: number;
  /** Requests that may start back to back (default 1: evenly spaced). */
  burst?: number;
  /**
   * Spacing added on top of window/limit (default 0.01 = 1 %): with even spacing a closed
   * 60-second window would otherwise hold limit+1 starts, and network jitter compresses gaps.
   */
  headroom?: number;
}

export function intervalUs(o: BudgetOptions): number {
  if (!(o.limit >= 1)) throw new RangeError("rate limit must be at least 1 request per window");
  return Math.ceil((((o.windowMs ?? 60_000) * 1000) / o.limit) * (1 + (o.headroom ?? 0.01)));
}

/** Give up reserving beyond this wait: acquire() re-asks instead of holding a far slot. */
const MAX_WAIT_US = 30_000_000;

/** Shared by replicas through Redis (one atomic Lua script, rpm-gcra.lua). */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: RedisClient;
  private readonly key: string;
  private readonly interval: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private readonly fallback: RateLimiter | undefined;
  private readonly onFallback: ((err: Error) => void) | undefined;
  private failing = false;

  /**
   * `fallback` paces alone while Redis is unreachable (each replica then keeps its own budget,
   * so the tenant may see a 429 that retries absorb) instead of failing every ERP call.
   */
  constructor(
    redis: RedisClient,
    key: string,
    budget: BudgetOptions,
    clock: Clock = systemClock,
    fallback?: { limiter: RateLimiter; onFallback?: (err: Error) => void },
  ) {
    this.redis = redis;
    this.key = key;
    this.interval = intervalUs(budget);
    this.burst = Math.max(1, Math.floor(budget.burst ?? 1));
    this.clock = clock;
    this.fallback = fallback?.limiter;
    this.onFallback = fallback?.onFallback;
  }

  async acquire(): Promise<void> {
    try {
      await this.acquireShared();
      this.failing = false;
    } catch (err) {
      if (!this.fallback) throw err;
      if (!this.failing) this.onFallback?.(err as Error);
      this.failing = true;
      await this.fallback.acquire();
    }
  }

  private async acquireShared(): Promise<void> {
    for (;;) {
      const { reserved, waitUs } = await rpmGcraScript.run(this.redis, {
        keys: { tat: this.key },
        args: { intervalUs: this.interval, burst: this.burst, maxWaitUs: MAX_WAIT_US },
      });
      if (reserved) {
        if (waitUs > 0) await this.clock.sleep(Math.ceil(waitUs / 1000));
        return;
      }
      // Over the horizon: wait part of the way and ask again (keeps far reservations out of Redis).
      await this.clock.sleep(Math.ceil(Math.min(waitUs, MAX_WAIT_US) / 2000));
    }
  }
}

/** Same algorithm in process, for a single CLI call or when no Redis is configured. */
export class LocalRateLimiter implements RateLimiter {
  private readonly interval: number;
  private readonly tolerance: number;
  private readonly clock: Clock;
  private tat = 0;

  constructor(budget: BudgetOptions, clock: Clock = systemClock) {
    this.interval = intervalUs(budget) / 1000;
    this.tolerance = (Math.max(1, Math.floor(budget.burst ?? 1)) - 1) * this.interval;
    this.clock = clock;
  }

  async acquire(): Promise<void> {
    const now = this.clock.now();
    const tat = Math.max(this.tat, now);
    const wait = Math.max(0, tat - this.tolerance - now);
    this.tat = tat + this.interval;
    if (wait > 0) await this.clock.sleep(Math.ceil(wait));
  }
}

export const unlimited: RateLimiter = { acquire: () => Promise.resolve() };
