import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export function uniquePrefix(file: string): string {
  return `test:${file}:${randomBytes(4).toString("hex")}:`;
}

export function connect(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: null });
}

export async function cleanup(redis: Redis, prefix: string): Promise<void> {
  await deleteByPrefix(redis, prefix);
}
