import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const base = `test:delete-by-prefix:${randomBytes(4).toString("hex")}:`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(url);
});
afterAll(async () => {
  await deleteByPrefix(redis, base);
  await redis.quit();
});

describe("deleteByPrefix (test, bench and demo cleanup)", () => {
  it("deletes every key under the prefix, across SCAN batches, and nothing else", async () => {
    const p = `${base}a:`;
    const many = Array.from({ length: 1200 }, (_, i) => [`${p}k${i}`, "1"]).flat();
    await redis.mset(...many);
    await redis.xadd(`${p}{mx}:stream`, "*", "f", "v");
    await redis.set(`${base}b:keep`, "1");
    await redis.set(`${base}a`, "no colon: not under the prefix");
    expect(await deleteByPrefix(redis, p)).toBe(1201);
    expect(await redis.exists(`${p}k0`, `${p}k1199`, `${p}{mx}:stream`)).toBe(0);
    expect(await redis.get(`${base}b:keep`)).toBe("1");
    expect(await redis.exists(`${base}a`)).toBe(1);
  });

  it("matches the prefix literally, not as a glob", async () => {
    await redis.set(`${base}x1:k`, "1");
    await redis.set(`${base}x?:k`, "1");
    expect(await deleteByPrefix(redis, `${base}x?:`)).toBe(1);
    expect(await redis.get(`${base}x1:k`)).toBe("1");
    await expect(deleteByPrefix(redis, "")).rejects.toThrow(/empty prefix/);
  });
});
