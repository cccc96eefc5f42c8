import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifySignature } from "../../sandbox/webhook-receiver/verify.ts";
import { createAlert } from "../../src/alerts/alert.ts";
import { webhookBody } from "../../src/webhook/body.ts";
import { classify, retryAfterMs, WebhookHttpError } from "../../src/webhook/errors.ts";
import { sign, verify } from "../../src/webhook/sign.ts";
import { payment } from "../delivery/emu.ts";

const SECRET = "whsec_test_8d1f";
const NOW = 1_765_000_000_000;
const TS = Math.floor(NOW / 1000);

describe("webhook signature (docs/webhooks.md)", () => {
  it("is v1= hex HMAC-SHA256 over v1:<timestamp>:<body>, computed independently", () => {
    const body = '{"id":"abc"}';
    const mac = createHmac("sha256", SECRET).update(`v1:${TS}:${body}`).digest("hex");
    expect(sign(SECRET, TS, body)).toBe(`v1=${mac}`);
    // The documented example: anyone can check their implementation against it.
    expect(sign("secret", 1765000000, '{"id":"x"}')).toBe(
      `v1=${createHmac("sha256", "secret").update('v1:1765000000:{"id":"x"}').digest("hex")}`,
    );
  });

  it("verifies: right secret (also the second during a rotation), wrong body, stale, malformed", () => {
    const body = '{"id":"abc"}';
    const sig = sign(SECRET, TS, body);
    expect(verify([SECRET], String(TS), sig, body, NOW)).toEqual({ ok: true });
    expect(verify(["old", SECRET], String(TS), sig, body, NOW)).toEqual({ ok: true });
    expect(verify([SECRET], String(TS), sig, '{"id":"abd"}', NOW)).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(verify(["other"], String(TS), sig, body, NOW).ok).toBe(false);
    expect(verify([SECRET], String(TS), sig, body, NOW + 301_000)).toEqual({
      ok: false,
      reason: "stale",
    });
    expect(verify([SECRET], undefined, sig, body, NOW)).toEqual({ ok: false, reason: "malformed" });
    // The sandbox receiver's check was written from the docs alone and agrees.
    expect(verifySignature([SECRET], String(TS), sig, body, NOW)).toBe(true);
    expect(verifySignature([SECRET], String(TS), sig, `${body} `, NOW)).toBe(false);
    expect(
      verifySignature([SECRET], String(TS - 301), sign(SECRET, TS - 301, body), body, NOW),
    ).toBe(false);
  });
});

describe("webhook body", () => {
  it("carries the alert's neutral fields; amounts stay decimal strings with their currency", () => {
    const a = createAlert({
      kind: "record.new",
      channel: "webhook:erp",
      record: payment(7, "1234.50"),
    });
    const b = webhookBody(a);
    expect(b).toMatchObject({ version: 1, id: a.id, kind: "record.new", recordKey: a.recordKey });
    expect(JSON.stringify(b)).toContain('"amount":{"amount":"1234.5","currency":"EUR"}');
    expect(JSON.stringify(b)).not.toContain("blocks");
  });
});

describe("webhook failures", () => {
  it.each([
    [new WebhookHttpError(429, 3000), { kind: "rate_limited", retryAfterMs: 3000 }],
    [new WebhookHttpError(429), { kind: "rate_limited", retryAfterMs: 1000 }],
    [new WebhookHttpError(503, 2000), { kind: "rate_limited", retryAfterMs: 2000 }],
    [new WebhookHttpError(503), { kind: "ambiguous", reason: "http_503", answered: true }],
    [new WebhookHttpError(500), { kind: "ambiguous", reason: "http_500", answered: true }],
    [new WebhookHttpError(408), { kind: "ambiguous", reason: "http_408", answered: true }],
    [new WebhookHttpError(502), { kind: "ambiguous", reason: "http_502" }],
    [new WebhookHttpError(401), { kind: "fatal", reason: "http_401" }],
    [new WebhookHttpError(410), { kind: "fatal", reason: "http_410" }],
    [
      Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }),
      { kind: "transient", reason: "ECONNREFUSED" },
    ],
    [
      Object.assign(new TypeError("fetch failed"), { cause: { code: "UND_ERR_SOCKET" } }),
      { kind: "ambiguous", reason: "UND_ERR_SOCKET" },
    ],
    [new DOMException("timed out", "TimeoutError"), { kind: "ambiguous", reason: "timeout" }],
  ])("%s", (err, expected) => {
    expect(classify(err)).toEqual(expected);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs("2", NOW)).toBe(2000);
    expect(retryAfterMs(new Date(NOW + 5000).toUTCString(), NOW)).toBe(5000);
    expect(retryAfterMs(null, NOW)).toBeUndefined();
  });
});
