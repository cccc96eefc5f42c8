import { codeOf } from "../../shared/error-code.ts";
/**
 * Retry policy for gateway calls (pure). ION answers 429 when a throttling policy's spike arrest
 * trips and 502/503/504 during maintenance (infor-ion-api.md); it documents no Retry-After, so a
 * Retry-After header is honoured as a hint when present, never as a promise.
 */

export interface RetryPolicy {
  /** Attempts in total, including the first (default 5). */
  maxAttempts: number;
  /** Stop retrying once this much time has gone by since the first attempt (default 60 s). */
  maxTotalMs: number;
  /** First backoff (default 250 ms), doubled per attempt, capped at `capMs` (default 10 s). */
  baseMs: number;
  capMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  maxTotalMs: 60_000,
  baseMs: 250,
  capMs: 10_000,
};

export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** undici / Node error codes that mean the connection failed, not the request. */
const RETRYABLE_NET = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

export function isRetryableNetworkError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = codeOf(e);
    if (code !== undefined && RETRYABLE_NET.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unusable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Delay before retry number `attempt` (1 = first retry): "equal jitter" over an exponential ceiling
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"), but never shorter than Retry-After.
 */
export function backoffMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}
