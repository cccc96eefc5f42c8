import { randomBytes } from "node:crypto";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { connectTestRedis, testPrefix } from "../support/redis.ts";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export function uniquePrefix(file: string): string {
  return testPrefix(`test:${file}:${randomBytes(4).toString("hex")}`);
}

export function connect(): RedisClient {
  return connectTestRedis();
}

export async function cleanup(redis: RedisClient, prefix: string): Promise<void> {
  await deleteByPrefix(redis, prefix);
}
