import { describe, expect, it } from "vitest";
import { syncKeys } from "../../src/sync/keys.ts";
import { acquirePollLock } from "../../src/sync/lock.ts";
import { runPoll } from "../../src/sync/poll.ts";
import {
  FakeSource,
  fileRedis,
  manualClock,
  po,
  poSchedule,
  RecordingSink,
  scope,
} from "./helpers.ts";

const { redis, prefix } = fileRedis("lock");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("poll lock", () => {
  it("admits one holder; a release by a stale holder never frees the new holder's lock", async () => {
    const key = `${prefix}lock:a`;
    const first = await acquirePollLock(redis, key, { ttlMs: 5_000 });
    expect(first).toBeDefined();
    expect(await acquirePollLock(redis, key, { ttlMs: 5_000 })).toBeUndefined();

    // The first holder stalls past its TTL; another takes over.
    await redis.del(key);
    const second = await acquirePollLock(redis, key, { ttlMs: 5_000 });
    expect(second).toBeDefined();
    await first?.release();
    expect(await redis.get(key)).toBe(second?.token);
    await second?.release();
    expect(await redis.exists(key)).toBe(0);
  });

  it("renews while held and aborts its signal once the lock is lost", async () => {
    const key = `${prefix}lock:b`;
    // Past the TTL, so only renewals (every third of it) keep the lock; a 2 s TTL leaves a busy
    // CPU 1.3 s of slack per renewal instead of 0.7 s.
    const lease = await acquirePollLock(redis, key, { ttlMs: 2_000 });
    await sleep(2_600);
    expect(await redis.get(key)).toBe(lease?.token);
    expect(lease?.signal.aborted).toBe(false);
    await redis.set(key, "someone-else");
    for (let i = 0; i < 100 && !lease?.signal.aborted; i++) await sleep(50);
    expect(lease?.signal.aborted).toBe(true);
    await lease?.release();
    expect(await redis.get(key)).toBe("someone-else");
  });

  it("a poll whose lock was taken over commits no watermark", async () => {
    const source = new FakeSource();
    const sink = new RecordingSink();
    const clock = manualClock("2026-12-01T08:00:00Z");
    const pollKey = {
      tenant: scope.tenant,
      company: scope.company,
      division: scope.division,
      entity: "purchase_order" as const,
    };
    const keys = syncKeys(prefix);
    const deps = { redis, prefix, sourceFactory: () => source, sink, clock: clock.now };
    await runPoll(deps, { schedule: poSchedule({ prime: false }) });
    source.put("1", po("4000001", "2026-12-03"));
    clock.set("2026-12-03T08:00:00Z");
    const stolen = {
      ...deps,
      hooks: { beforeWatermark: () => redis.set(keys.lock(pollKey), "other").then(() => {}) },
    };
    await expect(runPoll(stolen, { schedule: poSchedule() })).rejects.toMatchObject({
      code: "sync_lock_lost",
    });
    expect(await redis.get(keys.watermark(pollKey))).toBe("2026-12-01");
    expect(await redis.get(keys.lock(pollKey))).toBe("other");
  });
});
