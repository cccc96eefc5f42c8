import type { Redis } from "ioredis";

/** Calls per Redis command since the server started (INFO commandstats), e.g. { evalsha: 5339 }. */
export async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const text = await redis.info("commandstats");
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m?.[1] && m[2]) out.set(m[1], Number(m[2]));
  }
  return out;
}

/** Calls made between two `commandCalls` snapshots, largest first (commands with 0 left out). */
export function callsBetween(
  before: Map<string, number>,
  after: Map<string, number>,
): [string, number][] {
  const out: [string, number][] = [];
  for (const [cmd, n] of after) {
    const d = n - (before.get(cmd) ?? 0);
    if (d > 0) out.push([cmd, d]);
  }
  return out.sort((a, b) => b[1] - a[1]);
}

/** Total calls, the INFO commands this module sends itself left out. */
export function totalCalls(calls: [string, number][]): number {
  return calls.filter(([c]) => c !== "info").reduce((s, [, n]) => s + n, 0);
}

/** CPU seconds the Redis server has used (INFO cpu: user + system, main thread and others). */
export async function serverCpuSeconds(redis: Redis): Promise<number> {
  const text = await redis.info("cpu");
  const field = (name: string) =>
    Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(text)?.[1] ?? 0);
  return field("used_cpu_user") + field("used_cpu_sys");
}
