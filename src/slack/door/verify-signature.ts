import { createHmac, timingSafeEqual } from "node:crypto";

// Slack's signing (docs.slack.dev/authentication/verifying-requests-from-slack): X-Slack-Signature
// is "v0=" + hex(HMAC-SHA256(signing secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body)),
// and a timestamp more than five minutes from local time, either way, is to be refused.
export const MAX_SKEW_SECONDS = 300;
/** The only signature form Slack sends; anything else (e.g. a `=1` suffix) is refused outright. */
const SIGNATURE_FORM = /^v0=[0-9a-f]{64}$/;
/** Unix seconds, digits only: `1e9`, `0x…`, ` 17…` or a fraction are not Slack's. */
const TIMESTAMP_FORM = /^[1-9][0-9]{0,11}$/;

export type HeaderCheck =
  | { ok: true; signature: string; timestamp: string }
  | { ok: false; reason: "signature_form" | "timestamp_form" | "timestamp_skew" };

/** What can be refused from the headers alone, before a byte of the body is read. */
export function checkSignatureHeaders(
  signature: string | undefined,
  timestamp: string | undefined,
  nowMs: number,
): HeaderCheck {
  if (signature === undefined || !SIGNATURE_FORM.test(signature)) {
    return { ok: false, reason: "signature_form" };
  }
  if (timestamp === undefined || !TIMESTAMP_FORM.test(timestamp)) {
    return { ok: false, reason: "timestamp_form" };
  }
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) {
    return { ok: false, reason: "timestamp_skew" };
  }
  return { ok: true, signature, timestamp };
}

/** Constant-time comparison of the HMAC over the exact bytes received. */
export function signatureMatches(
  secret: string,
  timestamp: string,
  body: Buffer,
  signature: string,
): boolean {
  const expected = createHmac("sha256", secret).update(`v0:${timestamp}:`).update(body).digest();
  // The header form was checked: 64 hex digits, so exactly 32 bytes here.
  const given = Buffer.from(signature.slice(3), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
