import type { RedisClient } from "../shared/redis-client.ts";
import { waitReflectDue } from "./erp-due.ts";

export interface DueConsumerOptions {
  /** A connection of its own: each wait blocks it (BZPOPMIN). */
  blocking: RedisClient;
  prefix: string;
  /** Check one record (its approvals, one M3 read each); errors go to `onError`. */
  reflect: (recordKey: string) => Promise<unknown>;
  onError: (err: unknown) => void;
  /** Records checked at once (M3 reads share the ION budget with the pollers); default 8. */
  concurrency?: number;
  /** Longest single wait, seconds: how soon `stop()` is noticed; default 1. */
  waitSeconds?: number;
  /** Pause after a failed wait (Redis away), ms; default 1,000. */
  retryMs?: number;
}

/**
 * Takes each record marked due as soon as it is marked and checks it, up to `concurrency` at
 * once; a slow record does not hold the ones marked after it. A record taken by a process that
 * then dies is left to the regular reflection poll (the safety net).
 */
export function startReflectDueConsumer(o: DueConsumerOptions): { stop(): Promise<void> } {
  const limit = Math.max(1, o.concurrency ?? 8);
  const waitSeconds = o.waitSeconds ?? 1;
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      if (inFlight.size >= limit) {
        await Promise.race(inFlight);
        continue;
      }
      let recordKey: string | undefined;
      try {
        recordKey = await waitReflectDue(o.blocking, o.prefix, waitSeconds);
      } catch (err) {
        if (stopped) break;
        o.onError(err);
        await new Promise((r) => setTimeout(r, o.retryMs ?? 1_000));
        continue;
      }
      // Taken even at stop: it is checked before stop() returns, not dropped.
      if (recordKey === undefined) continue;
      const run: Promise<void> = o
        .reflect(recordKey)
        .then(
          () => undefined,
          (err: unknown) => o.onError(err),
        )
        .finally(() => inFlight.delete(run));
      inFlight.add(run);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(inFlight);
    },
  };
}
