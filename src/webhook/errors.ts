import type { Outcome } from "../delivery/outcome.ts";
import { codeOf } from "../shared/error-code.ts";

/** A receiver's answer that is not 2xx. Carries the status only: never headers or the secret. */
export class WebhookHttpError extends Error {
  readonly code = "webhook_http_error";
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  constructor(status: number, retryAfterMs?: number) {
    super(`webhook answered HTTP ${status}`);
    this.name = "WebhookHttpError";
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Connection errors that mean the request never left (nothing to resolve, just retry). */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * What a failed webhook call means for delivery (RFC 9110 status semantics):
 * - 429, 503 with Retry-After: rate limited (the receiver asks us to slow down; this target waits);
 * - 5xx: ambiguous, the receiver may have stored it before failing (resolved, then sent again);
 *   answered (its request is over) unless a gateway gave up on it (502, 504: it may still land);
 * - 408: ambiguous too (the request may have been read), answered;
 * - 4xx otherwise (bad URL, secret refused, body refused): fatal, dead letter with the status;
 * - a refused or unresolvable connection: transient (never sent);
 * - a timeout or reset after connecting: ambiguous.
 */
export function classify(err: unknown): Outcome {
  if (err instanceof WebhookHttpError) {
    const s = err.status;
    if (s === 429 || (s === 503 && err.retryAfterMs !== undefined))
      return { kind: "rate_limited", retryAfterMs: err.retryAfterMs ?? 1000 };
    if (s === 502 || s === 504) return { kind: "ambiguous", reason: `http_${s}` };
    if (s >= 500 || s === 408) return { kind: "ambiguous", reason: `http_${s}`, answered: true };
    return { kind: "fatal", reason: `http_${s}` };
  }
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  const code = codeOf(cause) ?? codeOf(err);
  if (code && NOT_SENT.has(code)) return { kind: "transient", reason: code };
  const name = (err as { name?: unknown } | undefined)?.name;
  if (name === "TimeoutError" || name === "AbortError")
    return { kind: "ambiguous", reason: "timeout" };
  return { kind: "ambiguous", reason: code ?? "request_error" };
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3), in ms; undefined when absent. */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1000, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(1000, at - nowMs);
}
