import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The leftovers check (leftovers.ts, vitest's globalSetup) fails a run that leaves a temp entry
 * or a Redis key without a TTL, and passes one that leaves neither: a vitest run of its own
 * around a probe test, once leaking and once clean.
 */
const root = fileURLToPath(new URL("../..", import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const key = `test:leftovers-probe:${randomBytes(4).toString("hex")}`;

function probeRun(env: Record<string, string>) {
  return new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      ["node_modules/vitest/vitest.mjs", "run", "--config", "test/support/probe/vitest.config.ts"],
      { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  await redis.del(key, `${key}:with-ttl`);
  await redis.quit();
});

describe("the test run's leftovers check", () => {
  it("fails a run that leaves a temp folder and a key without a TTL, naming both", async () => {
    const r = await probeRun({ LEAK_PROBE_KEY: key });
    expect(r.output).toMatch(/1 temp entry left behind: leak-probe-/);
    expect(r.output).toContain(`1 Redis key(s) without a TTL left on`);
    expect(r.output).toContain(key);
    // The key with a TTL is not a leftover.
    expect(r.output).not.toContain(`${key}:with-ttl`);
    expect(r.code).toBe(1);
  }, 90_000);

  it("passes a run that leaves nothing", async () => {
    const r = await probeRun({ LEAK_PROBE_KEY: "" });
    expect(r.output).not.toMatch(/left behind/);
    expect(r.code).toBe(0);
  }, 90_000);
});
