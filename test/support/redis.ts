import {
  type ClientOptions,
  createRedisClient,
  describeTarget,
  type RedisClient,
  type RedisTarget,
} from "../../src/shared/redis-client.ts";

/**
 * The Redis the tests use, chosen as the app chooses it: REDIS_CLUSTER_NODES (a Cluster),
 * REDIS_SENTINELS + REDIS_SENTINEL_NAME (a Sentinel set), else REDIS_URL (default
 * 127.0.0.1:6379). scripts/test-redis-modes.sh sets the first two around the exactly-once suites;
 * REDIS_URL stays set beside them for the tests that need a plain node (the leftovers check).
 */
export function testRedisTarget(env: NodeJS.ProcessEnv = process.env): RedisTarget {
  const list = (text: string) =>
    text.split(",").map((hp) => {
      const [host = "127.0.0.1", port = "0"] = hp.trim().split(":");
      return { host, port: Number(port) };
    });
  // as the app defaults with these variables (config/redis-env.ts): a send waits for one replica
  const replicaAcks = { replicas: 1, timeoutMs: 500 };
  if (env.REDIS_CLUSTER_NODES) {
    return { mode: "cluster", nodes: list(env.REDIS_CLUSTER_NODES), auth: {}, replicaAcks };
  }
  if (env.REDIS_SENTINELS) {
    return {
      mode: "sentinel",
      sentinels: list(env.REDIS_SENTINELS),
      name: env.REDIS_SENTINEL_NAME ?? "cs-test",
      auth: {},
      replicaAcks,
    };
  }
  return { mode: "single", url: env.REDIS_URL ?? "redis://127.0.0.1:6379" };
}

export const TEST_REDIS_MODE = testRedisTarget().mode;

/** A connection to the tests' Redis (BullMQ-ready unless told otherwise). */
export function connectTestRedis(o: ClientOptions = {}): RedisClient {
  return createRedisClient(testRedisTarget(), { maxRetriesPerRequest: null, ...o });
}

/**
 * A test's key prefix. In Cluster mode the unique part becomes the hash tag, so every key the
 * test writes (and its BullMQ queues, `<prefix>bull`) hashes to one slot, as `{cs}:` does for a
 * deployment; elsewhere it is left as it was, so key names in other tests' assertions hold.
 */
export function testPrefix(unique: string): string {
  return TEST_REDIS_MODE === "cluster" ? `{${unique}}:` : `${unique}:`;
}

export function describeTestRedis(): string {
  return describeTarget(testRedisTarget());
}
