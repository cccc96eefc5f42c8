import { Redis } from "ioredis";
import { measureAuditMemory, unusedShortPrefix } from "../scale/audit-memory.ts";
import { deliveredAuditSample } from "../scale/audit-sample.ts";
import type { Scenario } from "../types.ts";

/**
 * Redis memory per audit entry, alone and in about a minute (the scale run measures the same
 * over 1M entries after its delivery run): a real delivery of 500 alerts over 500 channels gives
 * the sample (alert.stored, post.attempt, post.result each), then ENTRIES entries cloned from it
 * go through AuditLog.append, measured as the used_memory delta, with MEMORY USAGE per kind of
 * key beside it. `npm run bench -- --only audit-memory [--quick]`.
 */
const ALERTS = 500;
const CHANNELS = 500;
const ENTRIES = 200_000;

const scenario: Scenario = async ({ quick, redisUrl }) => {
  const sample = await deliveredAuditSample(redisUrl, ALERTS, CHANNELS);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    const entries = quick ? 50_000 : ENTRIES;
    const prefix = await unusedShortPrefix(redis);
    const m = await measureAuditMemory(redis, prefix, sample, entries, { keyUsage: true });
    const perEntry = m.bytes / m.entries;
    const keys = Object.entries(m.keys ?? {});
    const keyCount = keys.reduce((n, [, k]) => n + k.count, 0);
    return {
      scenario: "audit-memory",
      metrics: [
        {
          name: `audit: Redis bytes per entry (${entries.toLocaleString("en")} written)`,
          value: perEntry,
          unit: "B",
          // 500 MB per 1M entries (README's scale row).
          target: { op: "<=", value: 500 },
        },
        { name: "audit: Redis keys per entry", value: keyCount / m.entries, unit: "keys" },
      ],
      notes: [
        `sample: ${sample.length} entries of ${ALERTS} delivered alerts over ${CHANNELS} channels (${Object.entries(
          m.mix,
        )
          .map(([t, n]) => `${t} ${n}`)
          .join(", ")}); written in ${m.seconds.toFixed(0)} s`,
        `MEMORY USAGE per entry by key: ${keys
          .map(([k, u]) => `${k} ${(u.bytes / m.entries).toFixed(0)} B (${u.count} keys)`)
          .join(", ")}`,
      ],
    };
  } finally {
    await redis.quit();
  }
};

export default scenario;
