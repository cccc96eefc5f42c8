/** Keys that may hold credentials; their values never reach the audit log. */
const SECRET_KEY =
  /token|secret|password|passwd|authorization|cookie|signature|api[_-]?key|client[_-]?secret/i;

/** Deep copy with credential-looking keys replaced by "[redacted]". */
export function sanitize(value: unknown, depth = 0): unknown {
  if (depth > 20) return "[depth]";
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) ? "[redacted]" : sanitize(v, depth + 1);
    }
    return out;
  }
  if (typeof value === "string" && /\bxox[abposr]-[A-Za-z0-9-]+/.test(value)) {
    return value.replace(/\bxox[abposr]-[A-Za-z0-9-]+/g, "xox?-[redacted]");
  }
  return value;
}
