import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { portAnswers, startPrivateRedis } from "../../sandbox/support/redis-server.ts";

describe("private redis-server", () => {
  it("starts, keeps AOF data across a crash and restart, and cleans up", async () => {
    const redis = await startPrivateRedis({ appendonly: true });
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      await client.set("k", "v");
      // appendfsync everysec: give the fsync a moment before the crash.
      await new Promise((r) => setTimeout(r, 1_200));
      client.disconnect();
      await redis.stop("SIGKILL");
      expect(await portAnswers(redis.port)).toBe(false);
      await redis.start();
      const again = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      expect(await again.get("k")).toBe("v");
      again.disconnect();
    } finally {
      await redis.close();
    }
    expect(await portAnswers(redis.port)).toBe(false);
  });
});
