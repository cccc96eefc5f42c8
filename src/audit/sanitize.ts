/** Keys that may hold credentials; their values never reach the audit log. */
const SECRET_KEY =
  /token|secret|password|passwd|authorization|cookie|signature|api[_-]?key|client[_-]?secret/i;
const SLACK_TOKEN = /\bxox[abposr]-[A-Za-z0-9-]+/;
const SLACK_TOKENS = /\bxox[abposr]-[A-Za-z0-9-]+/g;
/** Nesting deeper than this is cut ("[depth]"). */
const MAX_DEPTH = 20;

/** Deep copy with credential-looking keys replaced by "[redacted]". */
export function sanitize(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return "[depth]";
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) ? "[redacted]" : sanitize(v, depth + 1);
    }
    return out;
  }
  if (typeof value === "string" && SLACK_TOKEN.test(value)) {
    return value.replace(SLACK_TOKENS, "xox?-[redacted]");
  }
  return value;
}

/**
 * `sanitize` for a value about to be serialized and dropped (an audit entry's data): the value
 * itself when its copy would be the same (plain objects, arrays and primitives only, nothing to
 * redact, nothing too deep), else `sanitize`'s copy. The usual entry has nothing to redact: a
 * walk without the copy (an alert is a few hundred values).
 */
export function sanitizedForWrite(value: unknown): unknown {
  return isClean(value, 0) ? value : sanitize(value);
}

function isClean(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (typeof value === "string") return !SLACK_TOKEN.test(value);
  if (value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) {
    // A hole reads as undefined in sanitize's copy (map keeps it a hole): both serialize alike,
    // but a copy is what sanitize gives; holes are rare enough to take the copy.
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !isClean(value[i], depth + 1)) return false;
    }
    return true;
  }
  // A class instance (a Date, a Map) is copied by sanitize as its own enumerable fields, not
  // serialized as itself (toJSON): only plain objects are kept as they are.
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEY.test(k) || !isClean(v, depth + 1)) return false;
  }
  return true;
}
