import type { Rng } from "../../sandbox/support/random.ts";
import type { ChaosOptions } from "./options.ts";

export type FaultEvent =
  | { at: number; kind: "kill_worker"; worker: number; downMs: number }
  | { at: number; kind: "restart_redis"; downMs: number }
  | { at: number; kind: "throttle"; forMs: number }
  | { at: number; kind: "expire_tokens" };

/**
 * When each fault fires, in ms from the start of injection: random moments inside the
 * injection window and a little after it (while the backlog drains), drawn from the seed. Pure.
 */
export function planFaults(o: ChaosOptions, rng: Rng): FaultEvent[] {
  const span = o.injectOverMs * 1.3;
  const at = () => Math.round(rng.next() * span);
  const events: FaultEvent[] = [];
  for (let i = 0; i < o.workerKills; i++) {
    events.push({
      at: at(),
      kind: "kill_worker",
      worker: rng.int(0, o.workers - 1),
      downMs: rng.int(500, 3_000),
    });
  }
  for (let i = 0; i < o.redisRestarts; i++) {
    events.push({ at: at(), kind: "restart_redis", downMs: rng.int(500, 2_000) });
  }
  for (let i = 0; i < o.throttleBursts; i++) {
    events.push({ at: at(), kind: "throttle", forMs: rng.int(2_000, 6_000) });
  }
  for (let i = 0; i < o.tokenExpiries; i++) events.push({ at: at(), kind: "expire_tokens" });
  return events.sort((a, b) => a.at - b.at);
}
