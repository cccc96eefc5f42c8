import { type RedisClient, scanKeys } from "../../src/shared/redis-client.ts";

/** Redis glob metacharacters (MATCH patterns): a prefix is matched literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Deletes every key that starts with `prefix` (SCAN, then DEL per batch): the cleanup of tests,
 * benchmarks and the demo, which each keep their keys under a prefix of their own. SCAN never
 * blocks Redis the way KEYS does, so other processes sharing the server carry on. In a Cluster
 * every master is scanned and each batch deleted on the node that holds it, one key per DEL
 * (a DEL of several keys must stay in one slot). Returns the number of keys deleted. Not
 * product code: the app never deletes by pattern.
 */
export async function deleteByPrefix(redis: RedisClient, prefix: string): Promise<number> {
  if (prefix === "") throw new Error("deleteByPrefix: an empty prefix would delete every key");
  let deleted = 0;
  await scanKeys(redis, `${escapeGlob(prefix)}*`, async (keys, node) => {
    if (node === redis) {
      deleted += await redis.del(...keys);
      return;
    }
    const p = node.pipeline();
    for (const k of keys) p.del(k);
    for (const [err, n] of (await p.exec()) ?? []) if (!err) deleted += Number(n);
  });
  return deleted;
}
