import { randomUUID } from "node:crypto";
import type { RedisClient } from "../../shared/redis-client.ts";
import type { Clock } from "../clock.ts";
import { signInWindowScript } from "./scripts.ts";

/**
 * Cap on token-endpoint calls per rolling minute. `take()` records a sign-in and returns 0, or
 * returns the milliseconds until one is allowed (and records nothing).
 */
export interface SignInGate {
  take(): Promise<number>;
}

const WINDOW_MS = 60_000;

/** Per process. */
export class LocalSignInGate implements SignInGate {
  private readonly max: number;
  private readonly clock: Clock;
  private times: number[] = [];

  constructor(max: number, clock: Clock) {
    this.max = max;
    this.clock = clock;
  }

  async take(): Promise<number> {
    const now = this.clock.now();
    this.times = this.times.filter((t) => now - t < WINDOW_MS);
    if (this.times.length >= this.max) {
      return Math.max(1, (this.times[0] ?? now) + WINDOW_MS - now);
    }
    this.times.push(now);
    return 0;
  }
}

/** Shared by every replica through Redis (signin-window.lua). */
export class RedisSignInGate implements SignInGate {
  private readonly redis: RedisClient;
  private readonly key: string;
  private readonly max: number;
  private readonly id = randomUUID();
  private n = 0;

  constructor(redis: RedisClient, key: string, max: number) {
    this.redis = redis;
    this.key = key;
    this.max = max;
  }

  async take(): Promise<number> {
    return signInWindowScript.run(this.redis, {
      keys: { signIns: this.key },
      args: { windowMs: WINDOW_MS, max: this.max, member: `${this.id}:${++this.n}` },
    });
  }
}
