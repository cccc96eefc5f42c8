import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import { deliveryKeys } from "../../src/delivery/keys.ts";
import { Markers } from "../../src/delivery/markers.ts";
import { ReplicaAckError, waitForReplicas } from "../../src/shared/replica-acks.ts";
import { connectTestRedis, TEST_REDIS_MODE, testPrefix } from "../support/redis.ts";

const redis = connectTestRedis();
const prefix = testPrefix(`test:replica-acks:${randomBytes(4).toString("hex")}`);
afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await redis.quit();
});

describe("waiting for replicas before acting on a write", () => {
  it("returns at once when no replica is asked for", async () => {
    await redis.set(`${prefix}k`, "1", "PX", 60_000);
    await waitForReplicas(redis, `${prefix}k`, { replicas: 0, timeoutMs: 0 });
  });

  // A plain node has no replica: WAIT gives up after the timeout and the caller must not act.
  // A Cluster (3 masters, 3 replicas) and a Sentinel set have one: WAIT answers on the node that
  // holds the key, which the pipeline with the key routes to. (One test either way: a skipped
  // test fails CI.)
  it(`${TEST_REDIS_MODE}: ${TEST_REDIS_MODE === "single" ? "throws when no replica answers in time" : "returns once the key's replica holds it"}`, async () => {
    if (TEST_REDIS_MODE === "single") {
      await redis.set(`${prefix}k`, "2", "PX", 60_000);
      const started = Date.now();
      const err = await waitForReplicas(redis, `${prefix}k`, {
        replicas: 1,
        timeoutMs: 150,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReplicaAckError);
      expect((err as ReplicaAckError).code).toBe("redis_replica_ack");
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      return;
    }
    for (let i = 0; i < 20; i++) {
      const key = `${prefix}k${i}`;
      await redis.set(key, String(i), "PX", 60_000);
      await waitForReplicas(redis, key, { replicas: 1, timeoutMs: 2000 });
    }
  });

  // Nothing is sent when the replicas did not take the in-flight marker: a marker left behind
  // would make the retry wait out a send that never was (request timeout + grace) before posting.
  it(`${TEST_REDIS_MODE}: ${TEST_REDIS_MODE === "single" ? "an in-flight marker the replicas did not take is removed" : "an in-flight marker the replica holds stays"}`, async () => {
    const keys = deliveryKeys(prefix);
    const markers = new Markers(redis, keys, 60_000, { replicas: 1, timeoutMs: 150 });
    const marker = { channel: "C1", since: Date.now(), mode: "post" as const };
    if (TEST_REDIS_MODE === "single") {
      const err = await markers.setInflight("a1", marker).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReplicaAckError);
      expect(await redis.exists(keys.inflight("a1"))).toBe(0);
      return;
    }
    await markers.setInflight("a1", marker);
    expect(await redis.exists(keys.inflight("a1"))).toBe(1);
  });
});
