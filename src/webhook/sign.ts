import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The signature scheme of our outgoing webhooks (docs/webhooks.md), shaped like Slack's v0
 * request signing (docs.slack.dev/authentication/verifying-requests-from-slack): an HMAC-SHA256
 * over a version, the request timestamp and the raw body, so a receiver can check the sender
 * and refuse replays older than a few minutes.
 */
export const SIGNATURE_HEADER = "x-cloudsuite-signature";
export const TIMESTAMP_HEADER = "x-cloudsuite-timestamp";
/** The alert id: the same on every attempt, so a receiver keeps a delivery once. */
export const IDEMPOTENCY_HEADER = "idempotency-key";
export const SIGNATURE_VERSION = "v1";
/** A receiver should refuse a timestamp further than this from its clock (Slack uses 5 min). */
export const MAX_SKEW_SECONDS = 300;

/** `v1=<hex HMAC-SHA256(secret, "v1:" + timestamp + ":" + payload)>`. */
export function sign(secret: string, timestamp: number, payload: string): string {
  const mac = createHmac("sha256", secret)
    .update(`${SIGNATURE_VERSION}:${timestamp}:${payload}`)
    .digest("hex");
  return `${SIGNATURE_VERSION}=${mac}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: "stale" | "malformed" | "mismatch" };

/**
 * A receiver's check (also the sandbox receiver's): timestamp within MAX_SKEW_SECONDS, then the
 * signature against each secret (several during a rotation), compared in constant time.
 */
export function verify(
  secrets: readonly string[],
  timestamp: string | undefined,
  signature: string | undefined,
  payload: string,
  nowMs: number,
): VerifyResult {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: "malformed" };
  const ts = Number(timestamp);
  if (Math.abs(nowMs / 1000 - ts) > MAX_SKEW_SECONDS) return { ok: false, reason: "stale" };
  const given = Buffer.from(signature);
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret, ts, payload));
    if (expected.length === given.length && timingSafeEqual(expected, given)) return { ok: true };
  }
  return { ok: false, reason: "mismatch" };
}
