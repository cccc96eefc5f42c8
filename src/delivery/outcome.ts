/**
 * What a failed call to a destination means for delivery. Each destination classifies its own
 * errors (Slack: src/slack/destination/errors.ts) by stable codes, never by message text.
 */
export type Outcome =
  | { kind: "rate_limited"; retryAfterMs: number }
  /** Retrying cannot fix it: dead letter with the reason. */
  | { kind: "fatal"; reason: string }
  /**
   * The request may have been applied (timeout, reset, 5xx): resolve it before any retry.
   * `answered`: the server itself answered (a 500 or 503), so the request is over there and
   * cannot still land. Without it (timeout, reset, a gateway's 502/504) it may be applied after
   * we gave up: the look-up waits for the grace period first (ambiguity.ts).
   */
  | { kind: "ambiguous"; reason: string; answered?: true }
  /** Not applied, worth retrying (e.g. Slack's `internal_error` answered in the body). */
  | { kind: "transient"; reason: string };
