import { DEFAULT_KEY_PREFIX } from "../shared/key-prefix.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import { type PollKey, syncKeys } from "./keys.ts";
import { type KeyStatus, readSyncStatus, type SchedulerLookup } from "./status.ts";

export interface SyncStatusOptions {
  redis: RedisClient;
  prefix?: string;
  /** The sync queue, to show each key's next poll. */
  queue?: SchedulerLookup;
  clock?: () => Date;
  /** Only these keys (default: every key a poll has run for). */
  only?: readonly PollKey[];
}

/**
 * Per key: last poll, next poll, lag, watermark, consecutive failures, records by outcome
 * (last poll and totals), unrouted, quarantined and shadow counts. For `/infor status`.
 */
export function getSyncStatus(options: SyncStatusOptions): Promise<KeyStatus[]> {
  const now = (options.clock ?? (() => new Date()))();
  return readSyncStatus(options.redis, syncKeys(options.prefix ?? DEFAULT_KEY_PREFIX), {
    now,
    ...(options.queue ? { queue: options.queue } : {}),
    ...(options.only ? { only: options.only } : {}),
  });
}
