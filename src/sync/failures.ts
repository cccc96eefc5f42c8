import type { Redis } from "ioredis";
import { scripts } from "./scripts.ts";

export interface FailureMark {
  count: number;
  /** True exactly once per run of failures: when the count reaches the threshold. */
  alertNow: boolean;
  since: string;
}

export async function recordFailure(
  redis: Redis,
  key: string,
  threshold: number,
  nowIso: string,
): Promise<FailureMark> {
  const [count, alertNow, since] = (await redis.eval(
    scripts.failureRecord,
    1,
    key,
    String(threshold),
    nowIso,
  )) as [number, number, string];
  return { count: Number(count), alertNow: Number(alertNow) === 1, since: String(since) };
}

export interface Recovery {
  /** True when an ops alert went out for this run of failures: a recovery message is owed. */
  owed: boolean;
  failures: number;
  since: string;
}

export async function clearFailures(redis: Redis, key: string): Promise<Recovery> {
  const [alerted, count, since] = (await redis.eval(scripts.failureClear, 1, key)) as [
    number,
    number,
    string,
  ];
  return { owed: Number(alerted) === 1, failures: Number(count), since: String(since) };
}

export async function currentFailures(redis: Redis, key: string): Promise<number> {
  return Number((await redis.hget(key, "count")) ?? 0);
}
