import type { Redis } from "ioredis";

/** Redis glob metacharacters (MATCH patterns): a prefix is matched literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Deletes every key that starts with `prefix` (SCAN, then DEL per batch): the cleanup of tests,
 * benchmarks and the demo, which each keep their keys under a prefix of their own. SCAN never
 * blocks Redis the way KEYS does, so other processes sharing the server carry on. Returns the
 * number of keys deleted. Not product code: the app never deletes by pattern.
 */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<number> {
  if (prefix === "") throw new Error("deleteByPrefix: an empty prefix would delete every key");
  const pattern = `${escapeGlob(prefix)}*`;
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== "0");
  return deleted;
}
