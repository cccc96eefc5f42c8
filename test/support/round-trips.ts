import type { RedisClient } from "../../src/shared/redis-client.ts";

interface SentCommand {
  promise: Promise<unknown>;
}

/**
 * Counts the round trips a real connection makes: a command sent after a reply came back starts a
 * new one; commands sent before any reply (a pipeline, a MULTI, calls issued back to back) share
 * it. What the bench's per-stage times pay on a loaded machine is mostly these waits
 * (bench/scenarios/pipeline.ts), so a test can pin a path's count.
 */
export function countRoundTrips(redis: RedisClient): {
  rounds(): number;
  /** Replies received so far: what a caller has waited for at most. */
  replies(): number;
  reset(): void;
  restore(): void;
} {
  const target = redis as unknown as {
    sendCommand: (command: SentCommand, ...rest: unknown[]) => unknown;
  };
  const original = target.sendCommand;
  let rounds = 0;
  let answered = true;
  let replies = 0;
  const settle = () => {
    answered = true;
    replies++;
  };
  target.sendCommand = function (this: unknown, command: SentCommand, ...rest: unknown[]) {
    if (answered) {
      rounds++;
      answered = false;
    }
    command.promise.then(settle, settle);
    return original.call(this, command, ...rest);
  };
  return {
    rounds: () => rounds,
    replies: () => replies,
    reset: () => {
      rounds = 0;
      replies = 0;
      answered = true;
    },
    restore: () => {
      target.sendCommand = original;
    },
  };
}
