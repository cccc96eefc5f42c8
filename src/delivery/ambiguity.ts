import type { DeliveryConfig } from "./config.ts";
import type { InflightMarker } from "./markers.ts";
import type { Outcome } from "./outcome.ts";

/**
 * When a send whose outcome was lost can no longer land, so that looking for it is conclusive.
 *
 * chat.postMessage has no idempotency key: the only way to know whether a send we gave up on was
 * stored is to look for its alert id in the channel. A look that runs while the request is still
 * on its way inside Slack finds nothing, and the post that follows makes two messages once the
 * first lands. So a look waits until the first attempt cannot land any more:
 * - the server answered (a 500 or 503): its request is over; look at once;
 * - nobody answered (timeout, reset, a gateway's 502/504): `graceMs` after our client gave up;
 * - no outcome recorded (the worker died or lost its lock mid-call): its client gave up at the
 *   latest `requestTimeoutMs` after the attempt began, so `graceMs` after that.
 */
export interface AmbiguitySettings {
  requestTimeoutMs: number;
  graceMs: number;
}

export function ambiguitySettings(c: DeliveryConfig): AmbiguitySettings {
  return { requestTimeoutMs: c.requestTimeoutMs, graceMs: c.ambiguousGraceMs };
}

/** The epoch ms from which an ambiguous attempt settled at `now` may be looked for. */
export function lookAfterFailure(
  outcome: Extract<Outcome, { kind: "ambiguous" }>,
  now: number,
  s: AmbiguitySettings,
): number {
  return outcome.answered ? now : now + s.graceMs;
}

/** The epoch ms from which the in-flight attempt may be looked for. */
export function lookupDueAt(inflight: InflightMarker, s: AmbiguitySettings): number {
  return inflight.lookAfter ?? inflight.since + s.requestTimeoutMs + s.graceMs;
}
