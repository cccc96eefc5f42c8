import type { RedisClient } from "../shared/redis-client.ts";

/**
 * Records whose change a poll or an M3 event just saw, waiting for the decided-in-M3 check
 * (a sorted set: record key, score = first seen). Sync workers add, the reflection loop takes:
 * BZPOPMIN hands each record to one replica. A record taken by a process that then dies is caught
 * by the regular reflection poll, which stays as the safety net.
 */
const DUE_TTL_SECONDS = 86_400;

export function reflectDueKey(prefix: string): string {
  return `${prefix}approvals:erp-reflect-due`;
}

/** Only supplier invoices are written back; their status (SUPA) changes arrive as "updated". */
export function isReflectable(event: { kind: string; recordKey: string }): boolean {
  return event.kind === "updated" && event.recordKey.startsWith("supplier_invoice:");
}

export async function markReflectDue(
  redis: RedisClient,
  prefix: string,
  recordKey: string,
  now = Date.now(),
): Promise<void> {
  const key = reflectDueKey(prefix);
  // NX keeps the first time seen; the TTL bounds a queue nobody drains (reflection off).
  await redis.multi().zadd(key, "NX", now, recordKey).expire(key, DUE_TTL_SECONDS).exec();
}

/**
 * Wait up to `timeoutSeconds` for the next due record (BZPOPMIN): the record is checked the moment
 * a poll or an M3 event marks it, not at the next tick of a timer. A blocking pop holds its
 * connection, so `blocking` must be a connection of its own.
 */
export async function waitReflectDue(
  blocking: RedisClient,
  prefix: string,
  timeoutSeconds: number,
): Promise<string | undefined> {
  const popped = await blocking.bzpopmin(reflectDueKey(prefix), timeoutSeconds);
  return popped?.[1];
}
