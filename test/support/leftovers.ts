import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { createRedisClient, type RedisClient, scanKeys } from "../../src/shared/redis-client.ts";
import { describeTestRedis, testRedisTarget } from "./redis.ts";

/**
 * vitest globalSetup: a test run leaves nothing behind. Every test process gets a temp folder
 * of its own (TMPDIR, which os.tmpdir() and Chromium honour), so what is left in it at the end
 * was left by this run and by nobody else on the machine; and no Redis key without a TTL may
 * appear on the tests' Redis (REDIS_URL, or the Cluster or Sentinel set of test/support/redis.ts) during the run (a key with a TTL goes by itself, one without stays
 * forever). Either fails the run, naming what was left.
 */
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const SHOWN = 20;

let runTmp: string | undefined;
let persistentBefore: Set<string> | undefined;

export async function setup(): Promise<void> {
  runTmp = mkdtempSync(join(tmpdir(), "cloudsuite-test-run-"));
  // Set before vitest forks its workers, which inherit the environment.
  for (const name of ["TMPDIR", "TMP", "TEMP"]) process.env[name] = runTmp;
  // npm on Node 24 (the `npx node …` that tests and the chaos run spawn) turns on Node's module
  // compile cache in os.tmpdir(): one shared folder reused across runs in the real temp dir,
  // a leftover in this run's own. The cache only saves start-up time.
  process.env.NODE_DISABLE_COMPILE_CACHE = "1";
  persistentBefore = await persistentKeys().catch(() => undefined);
}

export async function teardown(): Promise<void> {
  const problems: string[] = [];
  if (runTmp) {
    const left = readdirSync(runTmp);
    if (left.length > 0) {
      problems.push(
        `${left.length} temp entr${left.length === 1 ? "y" : "ies"} left behind: ${left.slice(0, SHOWN).join(", ")}`,
      );
    }
    rmSync(runTmp, { recursive: true, force: true });
  }
  // Without a snapshot at the start (Redis was down) there is nothing fair to compare.
  if (persistentBefore) {
    const before = persistentBefore;
    const added = [...(await persistentKeys())].filter((k) => !before.has(k)).sort();
    if (added.length > 0) {
      problems.push(
        `${added.length} Redis key(s) without a TTL left on ${where()}: ${added.slice(0, SHOWN).join(", ")}${added.length > SHOWN ? ", …" : ""}`,
      );
    }
  }
  if (problems.length > 0) {
    throw new Error(`the test run left things behind:\n- ${problems.join("\n- ")}`);
  }
}

/** Keys with no expiry (TTL -1), by SCAN so a shared Redis is never blocked. */
async function persistentKeys(): Promise<Set<string>> {
  const target = testRedisTarget();
  const redis: RedisClient =
    target.mode === "single"
      ? new Redis(REDIS_URL, {
          lazyConnect: true,
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
          retryStrategy: () => null,
        })
      : createRedisClient(target, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    if (redis instanceof Redis && target.mode === "single") await redis.connect();
    const out = new Set<string>();
    // Every master of a Cluster; each batch's TTLs read on the node that holds it.
    await scanKeys(
      redis,
      "*",
      async (keys, node) => {
        const p = node.pipeline();
        for (const k of keys) p.pttl(k);
        const ttls = (await p.exec()) ?? [];
        keys.forEach((k, i) => {
          if (ttls[i]?.[1] === -1) out.add(k);
        });
      },
      1000,
    );
    return out;
  } finally {
    redis.disconnect();
  }
}

/** Hosts and ports only: a password in REDIS_URL is never printed. */
function where(): string {
  return describeTestRedis();
}
