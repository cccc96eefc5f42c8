import { Redis } from "ioredis";
import { deleteByPrefix } from "../support/redis-keys.ts";
import { portAnswers, startPrivateRedis } from "../support/redis-server.ts";

export interface DemoRedis {
  url: string;
  /** Where it came from, for the banner. */
  origin: "REDIS_URL" | "private";
  /** Key prefix the demo uses (unique on a shared Redis). */
  prefix: string;
  /** Deletes the demo's keys (shared Redis) or stops the private server. */
  close(): Promise<void>;
}

/**
 * REDIS_URL (or the default 127.0.0.1:6379) when something answers there; otherwise a private
 * redis-server on a free port in a temporary folder. On a shared Redis every key lives under a
 * prefix of its own, and is deleted on exit.
 */
export async function demoRedis(env: Record<string, string | undefined>): Promise<DemoRedis> {
  const url = env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = `demo:${Date.now().toString(36)}:`;
  if (await answers(url)) {
    return {
      url,
      origin: "REDIS_URL",
      prefix,
      close: () => deleteKeys(url, prefix),
    };
  }
  let server: Awaited<ReturnType<typeof startPrivateRedis>>;
  try {
    server = await startPrivateRedis();
  } catch (err) {
    throw new Error(
      `No Redis answers at ${url}, and a private one could not be started: ${(err as Error).message}`,
    );
  }
  return { url: server.url, origin: "private", prefix, close: () => server.close() };
}

async function answers(url: string): Promise<boolean> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (!(await portAnswers(Number(parsed.port || 6379), parsed.hostname || "127.0.0.1"))) {
    return false;
  }
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  try {
    await deleteByPrefix(redis, prefix);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
