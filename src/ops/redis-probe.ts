import { DEFAULT_KEY_PREFIX } from "../shared/key-prefix.ts";
import { createRedisClient, type RedisClient, type RedisTarget } from "../shared/redis-client.ts";
import { type ReadinessCheck, redisCheck } from "./checks.ts";

/**
 * A Redis connection for the readiness probe only. `enableOfflineQueue: false` makes a PING fail
 * at once while Redis is unreachable (instead of queueing until it returns), and the fixed short
 * retry delay makes /readyz turn green within a second of Redis coming back.
 */
export function createRedisProbe(
  target: RedisTarget,
  options: { prefix?: string } = {},
): { redis: RedisClient; check: ReadinessCheck } {
  const redis = createRedisClient(target, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 500,
    connectionName: "cloudsuite-slack:readiness",
  });
  // Connection errors are what /readyz reports; without a listener ioredis logs each one.
  redis.on("error", () => {});
  // The write probe lives under the app's prefix, so ACLs and cleanup cover it like every key.
  return {
    redis,
    check: redisCheck(redis, { writeKey: `${options.prefix ?? DEFAULT_KEY_PREFIX}readyz:probe` }),
  };
}
