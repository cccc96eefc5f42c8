import { describe, expect, it } from "vitest";
import {
  decryptSecret,
  EnvelopeError,
  encryptSecret,
  generateKey,
  parseKeyRing,
  reencryptSecret,
} from "../../src/security/envelope.ts";

const k1 = `k1:${generateKey()}`;
const k2 = `k2:${generateKey()}`;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof EnvelopeError ? err.code : "other";
  }
  return undefined;
}

describe("secret envelopes", () => {
  it("round-trips a secret, including unicode, and never contains the plaintext", () => {
    const ring = parseKeyRing(k1);
    const secret = "xoxb-1234-ünïcødé-secret";
    const env = encryptSecret(secret, ring);
    expect(env).toMatch(/^enc:v1:k1:[\w-]+:[\w-]+$/);
    expect(env).not.toContain(secret);
    expect(decryptSecret(env, ring)).toBe(secret);
    // A fresh IV each time: the same secret never yields the same envelope.
    expect(encryptSecret(secret, ring)).not.toBe(env);
  });

  it("accepts an old key during rotation and re-encrypts under the new one", () => {
    const old = parseKeyRing(k1);
    const envelope = encryptSecret("service-account-secret", old);
    const rotated = parseKeyRing(`${k2},${k1}`);
    expect(decryptSecret(envelope, rotated)).toBe("service-account-secret");
    const re = reencryptSecret(envelope, rotated);
    expect(re.startsWith("enc:v1:k2:")).toBe(true);
    expect(decryptSecret(re, parseKeyRing(k2))).toBe("service-account-secret");
  });

  it("refuses an envelope whose key was retired, naming the key id", () => {
    const envelope = encryptSecret("x-secret-value", parseKeyRing(k1));
    expect(() => decryptSecret(envelope, parseKeyRing(k2))).toThrow(/key "k1"/);
    expect(codeOf(() => decryptSecret(envelope, parseKeyRing(k2)))).toBe("envelope_unknown_key");
  });

  it("detects tampering with the ciphertext, the iv, and a relabelled key id", () => {
    const ring = parseKeyRing(`${k1},${k2}`);
    const envelope = encryptSecret("amount-critical-secret", ring);
    const [prefix, v, id, iv, body] = envelope.split(":") as [
      string,
      string,
      string,
      string,
      string,
    ];
    const flip = (s: string) =>
      s[5] === "A" ? `${s.slice(0, 5)}B${s.slice(6)}` : `${s.slice(0, 5)}A${s.slice(6)}`;
    expect(codeOf(() => decryptSecret([prefix, v, id, iv, flip(body)].join(":"), ring))).toBe(
      "envelope_auth_failed",
    );
    expect(codeOf(() => decryptSecret([prefix, v, id, flip(iv), body].join(":"), ring))).toBe(
      "envelope_auth_failed",
    );
    expect(codeOf(() => decryptSecret([prefix, v, "k2", iv, body].join(":"), ring))).toBe(
      "envelope_auth_failed",
    );
    expect(codeOf(() => decryptSecret("enc:v1:k1:short", ring))).toBe("envelope_malformed");
  });

  it("a wrong key with the same id fails authentication, without echoing anything secret", () => {
    const envelope = encryptSecret("the-plaintext-value", parseKeyRing(k1));
    const impostor = parseKeyRing(`k1:${generateKey()}`);
    try {
      decryptSecret(envelope, impostor);
      expect.unreachable();
    } catch (err) {
      expect((err as EnvelopeError).code).toBe("envelope_auth_failed");
      expect((err as Error).message).not.toContain("the-plaintext-value");
      expect((err as Error).message).not.toContain(k1.slice(3));
    }
  });

  it("validates key rings: size, id, duplicates", () => {
    expect(codeOf(() => parseKeyRing("k1:c2hvcnQ="))).toBe("keyring_invalid");
    expect(codeOf(() => parseKeyRing(`bad id:${generateKey()}`))).toBe("keyring_invalid");
    expect(codeOf(() => parseKeyRing(`${k1},${k1}`))).toBe("keyring_invalid");
    expect(codeOf(() => parseKeyRing(""))).toBe("keyring_invalid");
    expect(parseKeyRing(`${k2},${k1}`).activeKeyId).toBe("k2");
  });
});
