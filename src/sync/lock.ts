import { randomUUID } from "node:crypto";
import type { RedisClient } from "../shared/redis-client.ts";
import { lockReleaseScript, lockRenewScript } from "./scripts.ts";

/**
 * A per-key poll lock in Redis: SET NX PX with a random token, renewed every third of its TTL
 * while the poll runs, released only by its holder. BullMQ schedulers already fire each iteration
 * once across replicas (iteration job id `repeat:<id>:<millis>`), but the next iteration is added
 * as soon as the current one starts, so a slow poll (ION throttling, a backfill) would otherwise
 * overlap the next one. A crashed holder's lock lapses after the TTL.
 */
export interface PollLease {
  readonly token: string;
  /** Aborted when a renewal finds the lock gone: the holder must stop before committing. */
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

export interface LockOptions {
  ttlMs: number;
}

export async function acquirePollLock(
  redis: RedisClient,
  lockKey: string,
  { ttlMs }: LockOptions,
): Promise<PollLease | undefined> {
  const token = randomUUID();
  const ok = await redis.set(lockKey, token, "PX", ttlMs, "NX");
  if (ok !== "OK") return undefined;
  const controller = new AbortController();
  let released = false;
  const renew = async () => {
    try {
      const extended = await lockRenewScript.run(redis, {
        keys: { lock: lockKey },
        args: { token, ttlMs },
      });
      if (!extended) controller.abort(new Error("poll lock lost"));
    } catch (err) {
      // A failed renewal may mean Redis is gone; stop rather than risk two pollers.
      controller.abort(err);
    }
  };
  const timer = setInterval(
    () => {
      if (!released && !controller.signal.aborted) void renew();
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    token,
    signal: controller.signal,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await lockReleaseScript.run(redis, { keys: { lock: lockKey }, args: { token } });
    },
  };
}
