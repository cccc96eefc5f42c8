import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  intervalUs,
  LocalRateLimiter,
  RedisRateLimiter,
} from "../../src/infor/http/rate-limiter.ts";
import { LocalSignInGate, RedisSignInGate } from "../../src/infor/http/signin-gate.ts";
import { FakeClock } from "./helpers.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `test:infor-rate:${randomUUID()}:`;
const conns: Redis[] = [];

function conn(): Redis {
  const r = new Redis(REDIS_URL);
  conns.push(r);
  return r;
}

beforeAll(() => {
  conn();
});
afterAll(async () => {
  const r = conns[0];
  if (r) {
    const keys = await r.keys(`${prefix}*`);
    if (keys.length > 0) await r.del(...keys);
  }
  await Promise.all(conns.map((c) => c.quit()));
});

describe("intervalUs", () => {
  it("spaces requests evenly with headroom", () => {
    expect(intervalUs({ limit: 600, headroom: 0 })).toBe(100_000);
    expect(intervalUs({ limit: 100 })).toBe(606_000);
    expect(() => intervalUs({ limit: 0 })).toThrow(RangeError);
  });
});

describe("RedisRateLimiter (rpm-gcra.lua against real Redis)", () => {
  it("reserves consecutive slots one interval apart and sets a TTL", async () => {
    const r = conns[0] as Redis;
    const key = `${prefix}slots`;
    const clock = new FakeClock();
    const lim = new RedisRateLimiter(r, key, { limit: 60, windowMs: 60_000, headroom: 0 }, clock);
    for (let i = 0; i < 4; i++) await lim.acquire();
    // First slot immediate, then ~1 s, 2 s, 3 s (less the few ms between calls).
    expect(clock.sleeps).toHaveLength(3);
    clock.sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThan((i + 1) * 1000 - 200);
      expect(ms).toBeLessThanOrEqual((i + 1) * 1000);
    });
    const ttl = await r.pttl(key);
    expect(ttl).toBeGreaterThan(3000);
    expect(ttl).toBeLessThan(6000);
  });

  it("allows a burst, then paces", async () => {
    const clock = new FakeClock();
    const lim = new RedisRateLimiter(
      conns[0] as Redis,
      `${prefix}burst`,
      { limit: 60, burst: 3, headroom: 0 },
      clock,
    );
    for (let i = 0; i < 4; i++) await lim.acquire();
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThan(800);
  });

  it("three clients on separate connections share one budget (real time)", async () => {
    const key = `${prefix}shared`;
    const budget = { limit: 40, windowMs: 1000 }; // one slot per ~25 ms
    const clients = [conn(), conn(), conn()].map((c) => new RedisRateLimiter(c, key, budget));
    const starts: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      clients.map(async (lim) => {
        for (let i = 0; i < 8; i++) {
          await lim.acquire();
          starts.push(Date.now());
        }
      }),
    );
    const elapsed = Date.now() - t0;
    // 24 starts at one per 25.25 ms cannot finish before ~23 intervals, whoever asks.
    expect(elapsed).toBeGreaterThanOrEqual(Math.floor((23 * intervalUs(budget)) / 1000) - 5);
    expect(starts).toHaveLength(24);
  });
});

describe("RedisRateLimiter without Redis", () => {
  it("falls back to pacing in process, and says so once", async () => {
    const dead = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const sleeps: number[] = [];
    const clock = { now: () => 5_000_000, sleep: async (ms: number) => void sleeps.push(ms) };
    const warnings: string[] = [];
    const lim = new RedisRateLimiter(dead, `${prefix}dead`, { limit: 60, headroom: 0 }, clock, {
      limiter: new LocalRateLimiter({ limit: 60, headroom: 0 }, clock),
      onFallback: (e) => warnings.push(e.message),
    });
    await lim.acquire();
    await lim.acquire();
    expect(sleeps).toEqual([1000]);
    expect(warnings).toHaveLength(1);
    const strict = new RedisRateLimiter(dead, `${prefix}dead`, { limit: 60 }, clock);
    await expect(strict.acquire()).rejects.toThrow();
    dead.disconnect();
  });
});

describe("LocalRateLimiter", () => {
  it("paces in process", async () => {
    // Time stands still while three callers queue: each gets the next slot.
    const sleeps: number[] = [];
    const clock = { now: () => 1_000_000, sleep: async (ms: number) => void sleeps.push(ms) };
    const lim = new LocalRateLimiter({ limit: 120, headroom: 0 }, clock);
    await Promise.all([lim.acquire(), lim.acquire(), lim.acquire()]);
    expect(sleeps).toEqual([500, 1000]);
  });
});

describe("RedisSignInGate (signin-window.lua against real Redis)", () => {
  it("two token managers' worth of callers share one cap per rolling minute", async () => {
    const key = `${prefix}signins`;
    const a = new RedisSignInGate(conn(), key, 3);
    const b = new RedisSignInGate(conn(), key, 3);
    const results = [
      await a.take(),
      await b.take(),
      await a.take(),
      await b.take(),
      await a.take(),
    ];
    expect(results.slice(0, 3)).toEqual([0, 0, 0]);
    expect(results[3]).toBeGreaterThan(59_000);
    expect(results[4]).toBeGreaterThan(59_000);
    expect(await (conns[0] as Redis).zcard(key)).toBe(3);
    expect(await (conns[0] as Redis).pttl(key)).toBeGreaterThan(59_000);
  });

  it("LocalSignInGate counts per process", async () => {
    const clock = new FakeClock();
    const g = new LocalSignInGate(2, clock);
    expect([await g.take(), await g.take()]).toEqual([0, 0]);
    expect(await g.take()).toBe(60_000);
    clock.advance(60_000);
    expect(await g.take()).toBe(0);
  });
});
