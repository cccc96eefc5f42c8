import type { Redis } from "ioredis";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import { AuditLog } from "../../src/audit/log.ts";
import type { AuditEntry, AuditInput } from "../../src/audit/types.ts";

/** Redis `used_memory`, bytes (INFO memory). */
export async function usedMemory(redis: Redis): Promise<number> {
  const m = /^used_memory:(\d+)/m.exec(await redis.info("memory"));
  return Number(m?.[1] ?? 0);
}

export interface AuditMemory {
  entries: number;
  bytes: number;
  seconds: number;
  /** Entry types of the sample the entries were cloned from, with their counts. */
  mix: Record<string, number>;
}

/**
 * Writes `count` audit entries through the real AuditLog (append.lua: stream entry plus its
 * alert, record and channel indexes) under a fresh prefix and measures Redis's used_memory
 * before and after. The entries are the `sample` (a real run's audit log) again and again, each
 * round with its own alert ids and record keys (as new alerts would have), the channels kept
 * (a workspace has a fixed set), so the keys per entry are as in production. Deletes them after.
 */
export async function measureAuditMemory(
  redis: Redis,
  prefix: string,
  sample: readonly AuditEntry[],
  count: number,
): Promise<AuditMemory> {
  if (sample.length === 0) throw new Error("no audit entries to clone");
  const log = new AuditLog({ redis, prefix });
  const mix: Record<string, number> = {};
  for (const e of sample) mix[e.type] = (mix[e.type] ?? 0) + 1;
  const before = await usedMemory(redis);
  const t0 = performance.now();
  const BATCH = 500;
  try {
    for (let i = 0; i < count; i += BATCH) {
      const writes: Promise<string>[] = [];
      for (let j = i; j < Math.min(count, i + BATCH); j++) {
        const e = sample[j % sample.length] as AuditEntry;
        const round = Math.floor(j / sample.length);
        writes.push(log.append(cloneInput(e, round)));
      }
      await Promise.all(writes);
    }
    const seconds = (performance.now() - t0) / 1000;
    const after = await usedMemory(redis);
    return { entries: count, bytes: after - before, seconds, mix };
  } finally {
    await deleteByPrefix(redis, prefix);
  }
}

function cloneInput(e: AuditEntry, round: number): AuditInput {
  const suffix = round === 0 ? "" : `~${round}`;
  return {
    type: e.type,
    ...(e.alertId ? { alertId: `${e.alertId}${suffix}` } : {}),
    ...(e.recordKey ? { recordKey: `${e.recordKey}${suffix}` } : {}),
    ...(e.channel ? { channel: e.channel } : {}),
    ...(e.data ? { data: e.data } : {}),
  };
}
