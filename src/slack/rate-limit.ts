import type { RedisClient } from "../shared/redis-client.ts";

/**
 * Fixed one-minute window per user, shared by all replicas: INCR then EXPIRE on the first hit.
 * Returns the seconds to wait when over the limit, or 0 when the call may go ahead.
 */
export async function takeLookupSlot(
  redis: RedisClient,
  key: string,
  perMinute: number,
  now: number,
): Promise<number> {
  const windowStart = Math.floor(now / 60_000);
  const k = `${key}:${windowStart}`;
  const [[, count] = [null, 0]] = (await redis.multi().incr(k).expire(k, 61).exec()) ?? [];
  if (Number(count) <= perMinute) return 0;
  return Math.max(1, Math.ceil(((windowStart + 1) * 60_000 - now) / 1000));
}
