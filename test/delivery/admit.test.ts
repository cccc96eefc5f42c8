import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditLog } from "../../src/audit/log.ts";
import { admit, admitMany } from "../../src/delivery/admit.ts";
import { deliveryKeys } from "../../src/delivery/keys.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { paymentAlert } from "./emu.ts";
import { cleanup, connect, uniquePrefix } from "./helpers.ts";

const CH = "C0ADMIT01";
let redis: RedisClient;
let queue: Queue;
const prefix = uniquePrefix("admit");
const keys = deliveryKeys(prefix);

beforeAll(() => {
  redis = connect();
  queue = new Queue("q", { connection: redis, prefix: `${prefix}bull` });
});
afterAll(async () => {
  await queue.close();
  await cleanup(redis, prefix);
  await redis.quit();
});

describe("admit (enqueue-alert.lua)", () => {
  it("stores the audit entry, registers in arrival order and as pending, and sees the job", async () => {
    const audit = new AuditLog({ redis, prefix });
    const a = paymentAlert(1, CH);
    const b = paymentAlert(2, CH);
    const first = await admit(redis, keys, queue, a, {
      now: 1_000,
      edits: true,
      stored: audit.prepareAlert(a),
    });
    const second = await admit(redis, keys, queue, b, {
      now: 2_000,
      edits: true,
      stored: audit.prepareAlert(b),
    });
    expect(first).toEqual({ status: "registered", rank: 0, edit: false, jobExists: false });
    expect(second).toMatchObject({ rank: 1, edit: false });
    expect(await redis.zrange(keys.order(CH), "0", "-1")).toEqual([a.id, b.id]);
    expect(await redis.zscore(keys.pending, a.id)).toBe("1000");
    const stored = await audit.storedAlerts({ alertId: a.id });
    expect(stored.map((s) => s.id)).toEqual([a.id]);

    // Admitted again (a re-read): same place, first enqueue time kept, job now seen.
    await redis.hset(queue.toKey(`a-${a.id}`), "name", "post");
    const again = await admit(redis, keys, queue, a, { now: 3_000, edits: true });
    expect(again).toEqual({ status: "registered", rank: 0, edit: false, jobExists: true });
    expect(await redis.zscore(keys.pending, a.id)).toBe("1000");
  });

  it("admits several alerts in one call, in order, each as alone (enqueue-alerts.lua)", async () => {
    // Keys of their own: the stats hash counts this test's duplicate only.
    const keys = deliveryKeys(`${prefix}many:`);
    const audit = new AuditLog({ redis, prefix: `${prefix}many:` });
    const ch2 = "C0ADMIT02";
    const x = paymentAlert(21, ch2);
    const y = paymentAlert(22, ch2);
    const z = paymentAlert(23, ch2);
    // Already in Slack: counted, not registered, its audit entry still written (as alone).
    await redis.hset(keys.delivered(y.id), "ts", "1.2", "channel", ch2);
    // An edit of a posted message: the edit line.
    await redis.hset(keys.subject(ch2, z.subject), "ts", "1700000000.000200");
    const before = Number((await redis.hget(keys.stats, "duplicates_avoided")) ?? 0);
    const r = await admitMany(
      redis,
      keys,
      queue,
      [
        { alert: x, edits: true, stored: audit.prepareAlert(x) },
        { alert: y, edits: true, stored: audit.prepareAlert(y) },
        { alert: z, edits: true },
      ],
      5_000,
    );
    expect(r).toEqual([
      { status: "registered", rank: 0, edit: false, jobExists: false },
      { status: "delivered" },
      { status: "registered", rank: 0, edit: true, jobExists: false },
    ]);
    expect(await redis.zrange(keys.order(ch2), "0", "-1")).toEqual([x.id]);
    expect(await redis.zrange(keys.edits(ch2), "0", "-1")).toEqual([z.id]);
    expect(Number(await redis.hget(keys.stats, "duplicates_avoided"))).toBe(before + 1);
    expect((await audit.storedAlerts({ alertId: x.id })).map((s) => s.id)).toEqual([x.id]);
    expect((await audit.storedAlerts({ alertId: y.id })).map((s) => s.id)).toEqual([y.id]);
    expect(await audit.storedAlerts({ alertId: z.id })).toEqual([]);
    // In one channel, in the order given: the sequence numbers follow the call's order.
    const more = [paymentAlert(24, ch2), paymentAlert(25, ch2), paymentAlert(26, ch2)];
    const ranks = await admitMany(
      redis,
      keys,
      queue,
      more.map((alert) => ({ alert, edits: true })),
      6_000,
    );
    expect(ranks.map((a) => (a.status === "registered" ? a.rank : -1))).toEqual([1, 2, 3]);
    expect(await redis.zrange(keys.order(ch2), "0", "-1")).toEqual([
      x.id,
      ...more.map((a) => a.id),
    ]);
  });

  it("puts an edit of a posted message in the edit line", async () => {
    const a = paymentAlert(3, CH);
    await redis.hset(keys.subject(CH, a.subject), "ts", "1700000000.000100");
    const r = await admit(redis, keys, queue, a, { now: 4_000, edits: true });
    expect(r).toMatchObject({ status: "registered", edit: true, rank: 0 });
    expect(await redis.zscore(keys.edits(CH), a.id)).not.toBeNull();
    expect(await redis.zscore(keys.order(CH), a.id)).toBeNull();
    // A destination that cannot edit posts the new version: post line.
    const b = paymentAlert(5, CH);
    await redis.hset(keys.subject(CH, b.subject), "ts", "1700000000.000300");
    expect(await admit(redis, keys, queue, b, { now: 4_500, edits: false })).toMatchObject({
      edit: false,
    });
    expect(await redis.zscore(keys.order(CH), b.id)).not.toBeNull();
  });

  it("registers nothing for an alert already in Slack, but still stores its entry", async () => {
    const audit = new AuditLog({ redis, prefix });
    const a = paymentAlert(4, CH);
    await redis.hset(keys.delivered(a.id), "ts", "1700000000.000200", "channel", CH);
    const r = await admit(redis, keys, queue, a, {
      now: 5_000,
      edits: true,
      stored: audit.prepareAlert(a),
    });
    expect(r).toEqual({ status: "delivered" });
    expect(await redis.zscore(keys.order(CH), a.id)).toBeNull();
    expect(await redis.zscore(keys.pending, a.id)).toBeNull();
    expect(await redis.hget(keys.stats, "duplicates_avoided")).toBe("1");
    expect(await audit.storedAlerts({ alertId: a.id })).toHaveLength(1);
  });
});
