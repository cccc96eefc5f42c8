import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Secret envelopes: `enc:v1:<key id>:<iv>:<ciphertext+tag>` (base64url parts), AES-256-GCM.
 * The key id travels with the value so several keys can be accepted while one is rotated out;
 * the prefix and key id are authenticated (AAD), so an envelope cannot be relabelled to another key.
 */
export const ENVELOPE_PREFIX = "enc:v1:";
const IV_BYTES = 12; // NIST SP 800-38D: 96-bit IVs for GCM
const TAG_BYTES = 16;
const KEY_ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export interface KeyRing {
  /** Key used for new envelopes (the first one configured). */
  readonly activeKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export type EnvelopeErrorCode =
  | "envelope_malformed"
  | "envelope_unknown_key"
  | "envelope_auth_failed"
  | "keyring_invalid";

export class EnvelopeError extends Error {
  readonly code: EnvelopeErrorCode;
  constructor(code: EnvelopeErrorCode, message: string) {
    super(message);
    this.name = "EnvelopeError";
    this.code = code;
  }
}

export function isEnvelope(value: string): boolean {
  return value.startsWith(ENVELOPE_PREFIX);
}

/**
 * Parse `id:base64key[,id:base64key…]`. Keys are 32 random bytes (`cloudsuite-slack generate-key`).
 * Errors never include key material.
 */
export function parseKeyRing(spec: string): KeyRing {
  const keys = new Map<string, Buffer>();
  let activeKeyId = "";
  const entries = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new EnvelopeError("keyring_invalid", "no encryption key given");
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(":");
    const id = colon > 0 ? entry.slice(0, colon) : "";
    if (!KEY_ID_RE.test(id)) {
      throw new EnvelopeError(
        "keyring_invalid",
        `key #${index + 1}: expected "<key id>:<base64 key>" with an id of letters, digits, _ . -`,
      );
    }
    const key = Buffer.from(entry.slice(colon + 1), "base64");
    if (key.length !== 32) {
      throw new EnvelopeError(
        "keyring_invalid",
        `key "${id}": expected 32 bytes of base64 (AES-256), got ${key.length}`,
      );
    }
    if (keys.has(id)) throw new EnvelopeError("keyring_invalid", `key "${id}" is listed twice`);
    keys.set(id, key);
    if (index === 0) activeKeyId = id;
  });
  return { activeKeyId, keys };
}

export function generateKey(): string {
  return randomBytes(32).toString("base64");
}

function aad(keyId: string): Buffer {
  return Buffer.from(`${ENVELOPE_PREFIX}${keyId}`, "utf8");
}

export function encryptSecret(plaintext: string, ring: KeyRing, keyId = ring.activeKeyId): string {
  const key = ring.keys.get(keyId);
  if (!key) throw new EnvelopeError("envelope_unknown_key", `no key with id "${keyId}"`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad(keyId));
  const body = Buffer.concat([
    cipher.update(plaintext, "utf8"),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return `${ENVELOPE_PREFIX}${keyId}:${iv.toString("base64url")}:${body.toString("base64url")}`;
}

export function decryptSecret(envelope: string, ring: KeyRing): string {
  if (!isEnvelope(envelope))
    throw new EnvelopeError("envelope_malformed", "not an enc:v1 envelope");
  const parts = envelope.slice(ENVELOPE_PREFIX.length).split(":");
  const [keyId, ivText, bodyText] = parts;
  if (parts.length !== 3 || !keyId || !ivText || !bodyText) {
    throw new EnvelopeError("envelope_malformed", "expected enc:v1:<key id>:<iv>:<ciphertext>");
  }
  const key = ring.keys.get(keyId);
  if (!key) {
    throw new EnvelopeError(
      "envelope_unknown_key",
      `encrypted with key "${keyId}", which is not among the configured keys (${[...ring.keys.keys()].join(", ")})`,
    );
  }
  const iv = Buffer.from(ivText, "base64url");
  const body = Buffer.from(bodyText, "base64url");
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
    throw new EnvelopeError("envelope_malformed", "envelope is truncated");
  }
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(aad(keyId));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    // GCM says only "unable to authenticate": either the wrong key material or a tampered value.
    throw new EnvelopeError(
      "envelope_auth_failed",
      `cannot decrypt with key "${keyId}": wrong key or tampered value`,
    );
  }
}

/** Re-encrypt under the active key (rotation): `cloudsuite-slack rotate-secret`. */
export function reencryptSecret(envelope: string, ring: KeyRing): string {
  return encryptSecret(decryptSecret(envelope, ring), ring);
}
