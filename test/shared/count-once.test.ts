import { describe, expect, it } from "vitest";
import {
  COUNT_ONCE_CODE,
  countOnce,
  countOnceScript,
  updateOnce,
} from "../../src/shared/count-once.ts";
import { takeLock } from "../../src/sync/noise-gate.ts";
import { fileRedis } from "../sync/helpers.ts";

// ioredis re-sends a command whose reply a dropped connection lost (autoResendUnfulfilledCommands):
// the command runs twice on Redis. These writes must come out as if it ran once.
const { redis, prefix } = fileRedis("count-once");

describe("countOnce", () => {
  it("the same operation sent twice counts once; two operations count twice", async () => {
    const hash = `${prefix}stats`;
    const call = {
      keys: { hash, op: `${hash}:op:resent` },
      args: { opTtlMs: 60_000, increments: 1 },
      tail: { args: ["rate_limited", 1] },
    };
    // The command as the client sends it, and the same bytes again after a reconnect.
    expect(await countOnceScript.run(redis, call)).toBe(true);
    expect(await countOnceScript.run(redis, call)).toBe(false);
    expect(await redis.hget(hash, "rate_limited")).toBe("1");
    await countOnce(redis, hash, "rate_limited");
    await countOnce(redis, hash, "rate_limited", 2);
    expect(await redis.hget(hash, "rate_limited")).toBe("4");
    expect(await redis.pttl(`${hash}:op:resent`)).toBeGreaterThan(0);
    // The raw reply of a re-sent operation (opTtlMs, one increment, field, amount).
    const op = `${hash}:op:resent`;
    const raw = await redis.eval(countOnceScript.source, 2, hash, op, 1000, 1, "f", 1);
    expect(raw).toBe(COUNT_ONCE_CODE.alreadyCounted);
  });

  it("adds to several counters and sets fields in the one step, once", async () => {
    const hash = `${prefix}status`;
    await updateOnce(
      redis,
      hash,
      { "total.polls": 1, "total.new": 3, "total.none": 0 },
      { lastError: "" },
    );
    await updateOnce(redis, hash, { "total.polls": 1 }, { lastPollAt: "t2", lastError: "x" });
    expect(await redis.hgetall(hash)).toEqual({
      "total.polls": "2",
      "total.new": "3",
      lastPollAt: "t2",
      lastError: "x",
    });
  });
});

describe("takeLock (the noise gate's digest lock)", () => {
  it("a SET NX answered 'not set' because our own earlier SET took it still holds the lock", async () => {
    const key = `${prefix}lock`;
    // What a re-sent SET NX finds: the key set by the first one, with our token.
    await redis.set(key, "mine", "PX", 60_000);
    expect(await takeLock(redis, key, "mine", 60_000, 0)).toBe("mine");
    // Another writer's token keeps waiting and gives up.
    expect(await takeLock(redis, key, "theirs", 60_000, 100)).toBeUndefined();
    await redis.del(key);
    expect(await takeLock(redis, key, "theirs", 60_000, 0)).toBe("theirs");
  });
});
