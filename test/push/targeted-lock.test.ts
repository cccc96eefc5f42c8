import { describe, expect, it } from "vitest";
import type { RecordTarget } from "../../src/infor/source.ts";
import { codeOf } from "../../src/shared/error-code.ts";
import { syncKeys } from "../../src/sync/keys.ts";
import { acquirePollLock } from "../../src/sync/lock.ts";
import type { RecordSource } from "../../src/sync/source.ts";
import { runTargetedRead } from "../../src/sync/targeted.ts";
import { fileRedis, po, RecordingSink } from "../sync/helpers.ts";

/**
 * A push read and a poll of the same key never commit at once (both hold the key's lock): the
 * push read waits a little for a running poll, then gives up with sync_busy for BullMQ to retry.
 */
describe("runTargetedRead and the poll lock", () => {
  const { redis, prefix } = fileRedis("push-targeted-lock");
  const keys = syncKeys(prefix);
  const schedule = {
    tenant: "ACME_TST",
    company: "100",
    division: "AAA",
    entity: "purchase_order" as const,
    everyMs: 60_000,
  };
  const key = {
    tenant: "ACME_TST",
    company: "100",
    division: "AAA",
    entity: "purchase_order" as const,
  };
  const asked: RecordTarget[] = [];
  const source: RecordSource = {
    listChanged: async function* () {},
    readTarget: async (t) => {
      asked.push(t);
      return [po("4500001", "2026-11-30")];
    },
  };
  const sink = new RecordingSink();
  const deps = { redis, prefix, sink, sourceFactory: () => source };
  const target: RecordTarget = { entity: "purchase_order", number: "4500001" };

  it("gives up with sync_busy while a poll holds the key, reads nothing", async () => {
    await redis.set(keys.watermark(key), "2026-11-30");
    const lease = await acquirePollLock(redis, keys.lock(key), { ttlMs: 5000 });
    try {
      const started = Date.now();
      const err = await runTargetedRead(deps, { schedule, target, lockWaitMs: 150 }).catch(
        (e: unknown) => e,
      );
      expect(codeOf(err)).toBe("sync_busy");
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      expect(asked).toHaveLength(0);
    } finally {
      await lease?.release();
    }
  });

  it("waits for a poll that ends within the wait, then reads and alerts once", async () => {
    const lease = await acquirePollLock(redis, keys.lock(key), { ttlMs: 5000 });
    setTimeout(() => void lease?.release(), 100);
    const r = await runTargetedRead(deps, { schedule, target, lockWaitMs: 2000 });
    expect(r).toMatchObject({ status: "done", counts: { new: 1 } });
    expect(asked).toEqual([target]);
    // The same content read again (the next poll, another event) alerts nothing more.
    const again = await runTargetedRead(deps, { schedule, target });
    expect(again).toMatchObject({ status: "done", counts: { new: 0, unchanged: 1 } });
    expect(sink.events()).toHaveLength(1);
    expect(await redis.get(keys.lock(key))).toBeNull();
    // The watermark is the poll's: a push read never moves it.
    expect(await redis.get(keys.watermark(key))).toBe("2026-11-30");
  });
});
