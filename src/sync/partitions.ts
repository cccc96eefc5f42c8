import { groupBy } from "../shared/group-by.ts";
/**
 * Runs `handle` over `items` grouped by `partitionOf`: items of one partition one after another,
 * in their order; partitions side by side, at most `limit` at a time. On a failure no further
 * partition starts; the ones under way finish (nothing is left running behind the caller) and
 * the first error is thrown.
 */
export async function inPartitions<T>(
  items: readonly T[],
  partitionOf: (item: T) => string,
  limit: number,
  handle: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...groupBy(items, partitionOf).values()];
  let failed: { error: unknown } | undefined;
  async function lane(): Promise<void> {
    for (let group = queue.shift(); group && !failed; group = queue.shift()) {
      for (const item of group) {
        if (failed) return;
        try {
          await handle(item);
        } catch (error) {
          failed ??= { error };
          return;
        }
      }
    }
  }
  const lanes = Math.max(1, Math.min(limit, queue.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failed) throw failed.error;
}
