import type { RedisClient } from "../shared/redis-client.ts";
import { canonicalJson, sha256 } from "./canonical.ts";
import type { QuarantineItem } from "./sink.ts";

/** How long a reported malformed row stays known, so overlap re-reads do not report it again. */
export const QUARANTINE_MEMORY_MS = 30 * 24 * 3600 * 1000;

export function quarantineItem(reason: string, raw: unknown, ref?: string): QuarantineItem {
  // The fingerprint covers the row's content and the reason, not the time it was read.
  const fingerprint = sha256(`${reason}\n${canonicalJson(raw ?? null)}`).slice(0, 32);
  const item: QuarantineItem = { reason, fingerprint };
  if (ref !== undefined) item.ref = ref;
  if (raw !== undefined) item.raw = raw;
  return item;
}

/** A best-effort label for a row that failed validation: whatever id-like field it has. */
export function guessRef(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  for (const f of ["number", "invoiceNumber", "reference", "voucher", "id"]) {
    const v = r[f];
    if (typeof v === "string" && v.trim()) return `${String(r.entity ?? "record")} ${v.trim()}`;
  }
  return undefined;
}

/** Items whose fingerprint was not reported yet for this key. */
export async function unreported(
  redis: RedisClient,
  zkey: string,
  items: readonly QuarantineItem[],
): Promise<QuarantineItem[]> {
  const unique = [...new Map(items.map((i) => [i.fingerprint, i])).values()];
  if (unique.length === 0) return [];
  const scores = await redis.zmscore(zkey, ...unique.map((i) => i.fingerprint));
  return unique.filter((_, i) => scores[i] === null || scores[i] === undefined);
}

export async function markReported(
  redis: RedisClient,
  zkey: string,
  items: readonly QuarantineItem[],
  nowMs: number,
): Promise<void> {
  if (items.length === 0) return;
  const flat: (string | number)[] = [];
  for (const i of items) flat.push(nowMs, i.fingerprint);
  await redis
    .multi()
    .zadd(zkey, ...flat)
    .zremrangebyscore(zkey, "-inf", nowMs - QUARANTINE_MEMORY_MS)
    .exec();
}
