import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Redis } from "ioredis";
import type { Clock } from "../clock.ts";

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

const SCRIPT = readFileSync(join(import.meta.dirname, "signin-window.lua"), "utf8");
const COMMAND = "inforSignInWindow";
type WindowCommand = (key: string, window: string, max: string, member: string) => Promise<number>;

/** Shared by every replica through Redis (signin-window.lua). */
export class RedisSignInGate implements SignInGate {
  private readonly redis: Redis;
  private readonly key: string;
  private readonly max: number;
  private readonly id = randomUUID();
  private n = 0;

  constructor(redis: Redis, key: string, max: number) {
    redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: SCRIPT });
    this.redis = redis;
    this.key = key;
    this.max = max;
  }

  async take(): Promise<number> {
    const run = (this.redis as unknown as Record<string, WindowCommand>)[COMMAND];
    if (!run) throw new Error("sign-in script not defined on this connection");
    return Number(
      await run.call(
        this.redis,
        this.key,
        String(WINDOW_MS),
        String(this.max),
        `${this.id}:${++this.n}`,
      ),
    );
  }
}
