import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The receiver's signature check, written from docs/webhooks.md alone (not from src/webhook), as
 * a customer would: `v1=` + hex HMAC-SHA256(secret, "v1:" + timestamp + ":" + payload), the
 * timestamp within 5 minutes of our clock, compared in constant time.
 */
export function verifySignature(
  secrets: readonly string[],
  timestamp: string | undefined,
  signature: string | undefined,
  payload: string,
  nowMs: number,
): boolean {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > 300) return false;
  const given = Buffer.from(signature);
  return secrets.some((secret) => {
    const mac = createHmac("sha256", secret).update(`v1:${timestamp}:${payload}`).digest("hex");
    const expected = Buffer.from(`v1=${mac}`);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
