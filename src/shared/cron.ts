import { getNextMillis } from "bullmq";

/**
 * Whether BullMQ can fire `pattern`: validation asks BullMQ's default repeat strategy (the one
 * `upsertJobScheduler` uses to compute each next run), so routing.yml accepts exactly the crons
 * that will fire, no more (a second parser's dialect) and no fewer.
 */
export function isFiringCron(pattern: string, tz?: string): boolean {
  // BullMQ reads an empty pattern as "every minute"; in a config file it is a mistake.
  if (pattern.trim() === "") return false;
  try {
    return getNextMillis(Date.now(), { pattern, ...(tz ? { tz } : {}) }) !== undefined;
  } catch {
    return false;
  }
}
