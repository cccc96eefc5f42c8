import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { expect, it } from "vitest";

/** Run by test/support/leftovers.test.ts only: leaves what LEAK_PROBE asks for behind. */
it("leaves things behind on purpose", async () => {
  expect(tmpdir()).toContain("cloudsuite-test-run-");
  const key = process.env.LEAK_PROBE_KEY;
  if (!key) return;
  mkdtempSync(join(tmpdir(), "leak-probe-"));
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  await redis.set(key, "left behind");
  await redis.set(`${key}:with-ttl`, "goes by itself", "PX", 60_000);
  await redis.quit();
});
