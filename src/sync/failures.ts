import type { RedisClient } from "../shared/redis-client.ts";
import { failureClearScript, failureRecordScript } from "./scripts.ts";

export interface FailureMark {
  count: number;
  /** True exactly once per run of failures: when the count reaches the threshold. */
  alertNow: boolean;
  since: string;
}

export async function recordFailure(
  redis: RedisClient,
  key: string,
  threshold: number,
  nowIso: string,
): Promise<FailureMark> {
  return failureRecordScript.run(redis, {
    keys: { failures: key },
    args: { threshold, now: nowIso },
  });
}

export interface Recovery {
  /** True when an ops alert went out for this run of failures: a recovery message is owed. */
  owed: boolean;
  failures: number;
  since: string;
}

export async function clearFailures(redis: RedisClient, key: string): Promise<Recovery> {
  return failureClearScript.run(redis, { keys: { failures: key }, args: {} });
}

export async function currentFailures(redis: RedisClient, key: string): Promise<number> {
  return Number((await redis.hget(key, "count")) ?? 0);
}
