import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
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

  it("close() as a process's last act still removes the folder before Node exits", async () => {
    const script = `
      const { startPrivateRedis } = await import(${JSON.stringify(new URL("../../sandbox/support/redis-server.ts", import.meta.url).href)});
      const r = await startPrivateRedis();
      console.log(r.dir);
      r.close();
    `;
    const dir = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["--input-type=module", "-e", script], (err, stdout) =>
        err ? reject(err) : resolve(stdout.trim()),
      ),
    );
    expect(dir).toMatch(/cloudsuite-redis-/);
    expect(existsSync(dir)).toBe(false);
  });
});
