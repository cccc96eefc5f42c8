import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/**
 * Authentication of `POST /ion/bod`. Two ways, either accepted:
 *  - `X-Bod-Signature: sha256=<hex>`: HMAC-SHA256 of the raw request body under a shared secret
 *    (for a relay or an ION connection point that can sign);
 *  - `Authorization: Bearer <token>`: a shared token (what an ION API connection point can send).
 * Several secrets/tokens may be configured at once so they can be rotated without downtime.
 * Comparisons are constant-time: both sides are hashed to 32 bytes first (timingSafeEqual needs
 * equal lengths, and comparing lengths directly would leak the secret's length), and every
 * candidate is compared without stopping at the first match.
 */
export const BOD_SIGNATURE_HEADER = "x-bod-signature";

export interface BodAuthConfig {
  hmacSecrets?: readonly string[];
  bearerTokens?: readonly string[];
}

export type BodAuthResult = { ok: true; method: "hmac" | "bearer" } | { ok: false };

const digest = (value: string | Buffer) => createHash("sha256").update(value).digest();

function matchesAny(presented: Buffer, candidates: readonly Buffer[]): boolean {
  let match = false;
  for (const c of candidates) {
    // No short-circuit: the time taken does not depend on which candidate matched.
    if (timingSafeEqual(digest(presented), digest(c))) match = true;
  }
  return match;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** `signatureHeader` lets another webhook (the M3 push endpoint) use its own header name. */
export function verifyBodAuth(
  headers: IncomingHttpHeaders,
  body: Buffer,
  config: BodAuthConfig,
  signatureHeader: string = BOD_SIGNATURE_HEADER,
): BodAuthResult {
  const secrets = config.hmacSecrets ?? [];
  const tokens = config.bearerTokens ?? [];
  const signature = header(headers, signatureHeader)?.trim();
  if (signature && secrets.length > 0) {
    const expected = secrets.map((s) => Buffer.from(signBody(s, body)));
    if (matchesAny(Buffer.from(signature.toLowerCase()), expected)) {
      return { ok: true, method: "hmac" };
    }
  }
  const auth = header(headers, "authorization")?.trim();
  const bearer = auth && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, "") : undefined;
  if (bearer && tokens.length > 0) {
    if (
      matchesAny(
        Buffer.from(bearer),
        tokens.map((t) => Buffer.from(t)),
      )
    ) {
      return { ok: true, method: "bearer" };
    }
  }
  return { ok: false };
}

/** Cheap pre-check before reading the body: no credential at all means 401 without reading. */
export function hasCredentials(
  headers: IncomingHttpHeaders,
  signatureHeader: string = BOD_SIGNATURE_HEADER,
): boolean {
  return Boolean(header(headers, signatureHeader) || header(headers, "authorization"));
}
