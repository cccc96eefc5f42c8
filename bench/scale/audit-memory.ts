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
  /** Per kind of key (the log, each index): how many keys and their MEMORY USAGE, bytes. */
  keys?: Record<string, { count: number; bytes: number }>;
}

/**
 * A key prefix as long as production's `cs:` that no key in this Redis starts with: key names
 * are part of what an entry costs (two index keys per alert), so a long bench prefix would
 * overstate it; and nothing but the measured entries may be deleted afterwards.
 */
export async function unusedShortPrefix(redis: Redis): Promise<string> {
  for (;;) {
    const prefix = `${Math.random().toString(36).slice(2, 4)}:`;
    if (prefix.length === 3 && !(await anyKey(redis, `${prefix}*`))) return prefix;
  }
}

async function anyKey(redis: Redis, match: string): Promise<boolean> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", match, "COUNT", 1000);
    if (keys.length > 0) return true;
    cursor = next;
  } while (cursor !== "0");
  return false;
}

/** Kinds of the audit log's keys under a prefix: the log itself and each index. */
const KINDS = ["log", "idx:alert", "idx:record", "idx:channel", "idxs:channel"] as const;

async function keyUsage(redis: Redis, prefix: string): Promise<AuditMemory["keys"]> {
  const out: NonNullable<AuditMemory["keys"]> = {};
  for (const kind of KINDS) {
    const match = kind === "log" ? `${prefix}audit:log` : `${prefix}audit:${kind}:*`;
    const total = { count: 0, bytes: 0 };
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", match, "COUNT", 1000);
      cursor = next;
      if (keys.length === 0) continue;
      const p = redis.pipeline();
      for (const k of keys) p.memory("USAGE", k, "SAMPLES", "0");
      for (const [, v] of (await p.exec()) ?? []) total.bytes += Number(v ?? 0);
      total.count += keys.length;
    } while (cursor !== "0");
    if (total.count > 0) out[kind] = total;
  }
  return out;
}

/**
 * Writes `count` audit entries through the real AuditLog (append.lua: stream entry plus its
 * alert, record and channel indexes) under a fresh prefix (unusedShortPrefix) and measures
 * Redis's used_memory before and after (and, when asked, MEMORY USAGE per kind of key). The entries are the `sample` (a real run's audit log) again and again, each
 * round with its own alert ids and record keys (as new alerts would have), the channels kept
 * (a workspace has a fixed set), so the keys per entry are as in production. Deletes them after.
 */
export async function measureAuditMemory(
  redis: Redis,
  prefix: string,
  sample: readonly AuditEntry[],
  count: number,
  o: { keyUsage?: boolean } = {},
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
    const keys = o.keyUsage ? await keyUsage(redis, prefix) : undefined;
    return { entries: count, bytes: after - before, seconds, mix, ...(keys ? { keys } : {}) };
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
