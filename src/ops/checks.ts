import { codeOf } from "../shared/error-code.ts";
import { OpsError } from "./errors.ts";

/** A readiness dependency: resolves when usable, rejects (ideally with a `code`) when not. */
export interface ReadinessCheck {
  name: string;
  check: (signal: AbortSignal) => Promise<void>;
  /** Default 2000 ms: a probe must answer well inside the orchestrator's probe timeout. */
  timeoutMs?: number;
  /** Keep a success this long (ms); failures are kept at most 5 s so recovery shows quickly. */
  cacheMs?: number;
}

export interface CheckResult {
  ok: boolean;
  ms: number;
  /** A stable code (`timeout`, `redis_unreachable`, Slack's `invalid_auth`, …); never a message. */
  error?: string;
  detail?: Record<string, unknown>;
  cached?: boolean;
}

/** Runs a promise-returning function with a deadline; the signal tells the callee to give up. */
export async function withTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new OpsError("check_timeout", `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function checkFailureCode(err: unknown): string {
  const code = codeOf(err);
  if (code === "check_timeout") return "timeout";
  // Slack Web API errors carry the API's error name in data.error (e.g. invalid_auth).
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  if (typeof data?.error === "string") return data.error;
  return code ?? "check_failed";
}

/** A check runner with per-check caching and single flight (concurrent probes share one call). */
export function createCheckRunner(now: () => number = Date.now) {
  const cache = new Map<string, { result: CheckResult; until: number }>();
  const inflight = new Map<string, Promise<CheckResult>>();

  const runOnce = async (c: ReadinessCheck): Promise<CheckResult> => {
    const started = now();
    try {
      await withTimeout(c.check, c.timeoutMs ?? 2000);
      return { ok: true, ms: now() - started };
    } catch (err) {
      const detail = err instanceof OpsError ? err.detail : undefined;
      return {
        ok: false,
        ms: now() - started,
        error: checkFailureCode(err),
        ...(detail ? { detail } : {}),
      };
    }
  };

  return async (c: ReadinessCheck): Promise<CheckResult> => {
    const hit = cache.get(c.name);
    if (hit && hit.until > now()) return { ...hit.result, cached: true };
    const running = inflight.get(c.name);
    if (running) return running;
    const p = runOnce(c).then((result) => {
      const keep = c.cacheMs ?? 0;
      if (keep > 0) {
        cache.set(c.name, { result, until: now() + (result.ok ? keep : Math.min(keep, 5000)) });
      }
      inflight.delete(c.name);
      return result;
    });
    inflight.set(c.name, p);
    return p;
  };
}

/**
 * Redis PING, then (with `writeKey`) one small write with a short expiry. A PING succeeds while
 * Redis refuses every write (`OOM` under `maxmemory` with `noeviction`, `READONLY` on a replica,
 * `MISCONF` after a failed snapshot), and then polling and delivery fail while /readyz says ok.
 * Give it a connection of its own created with `enableOfflineQueue: false`: then a PING to a
 * Redis that is down fails at once instead of waiting in ioredis' offline queue (BullMQ
 * connections use `maxRetriesPerRequest: null`, where it would wait forever).
 */
export function redisCheck(
  redis: {
    ping(): Promise<string>;
    set(key: string, value: string, px: "PX", ms: number): Promise<unknown>;
  },
  options: { name?: string; timeoutMs?: number; writeKey?: string } = {},
): ReadinessCheck {
  return {
    name: options.name ?? "redis",
    timeoutMs: options.timeoutMs ?? 1000,
    check: async () => {
      const reply = await redis.ping();
      if (reply !== "PONG") throw new OpsError("check_failed", "unexpected PING reply");
      if (options.writeKey === undefined) return;
      try {
        await redis.set(options.writeKey, String(Date.now()), "PX", 60_000);
      } catch {
        // The reply names the reason (OOM, READONLY, MISCONF); the code is what /readyz shows.
        throw new OpsError("redis_write_refused", "Redis refused a write");
      }
    },
  };
}

/**
 * Slack `auth.test` (no scope needed). Cached 30 s by default: Slack rates it Tier 4 (about 100 a
 * minute per workspace), and probes from N replicas every few seconds must not spend that.
 */
export function slackAuthCheck(
  authTest: () => Promise<{ ok?: boolean; error?: string }>,
  options: { cacheMs?: number; timeoutMs?: number } = {},
): ReadinessCheck {
  return {
    name: "slack",
    cacheMs: options.cacheMs ?? 30_000,
    timeoutMs: options.timeoutMs ?? 3000,
    check: async () => {
      const reply = await authTest();
      if (reply.ok === false) {
        const err = new OpsError("check_failed", "auth.test refused");
        throw Object.assign(err, { data: { error: reply.error ?? "not_ok" } });
      }
    },
  };
}

/**
 * ION: a valid access token can be had. The token manager caches tokens and refreshes ahead of
 * expiry, so this normally costs nothing; when it must sign in, the cache here keeps N probes
 * from spending the service account's few sign-ins a minute.
 */
export function ionTokenCheck(
  getToken: (signal: AbortSignal) => Promise<unknown>,
  options: { cacheMs?: number; timeoutMs?: number } = {},
): ReadinessCheck {
  return {
    name: "ion",
    cacheMs: options.cacheMs ?? 30_000,
    timeoutMs: options.timeoutMs ?? 5000,
    check: async (signal) => {
      await getToken(signal);
    },
  };
}

/** One poll key as the polls check sees it (src/sync KeyStatus has these fields). */
export interface PollHealth {
  id: string;
  consecutiveFailures: number;
  lastError?: string | undefined;
  lastErrorMessage?: string | undefined;
  lastErrorAt?: string | undefined;
}

/**
 * Polls: not ready while a poll key keeps failing. The rule: a key whose consecutive failed
 * attempts reached `threshold` (the same count that posts the ops-channel alert, default 5)
 * fails the check until one poll of it succeeds; /readyz then names the key and the source's own
 * message (e.g. M3's "Field IDCHID does not exist in CIDMAS"). Cached 15 s: it reads Redis only.
 */
export function pollsCheck(
  read: () => Promise<readonly PollHealth[]>,
  options: { threshold?: number; cacheMs?: number } = {},
): ReadinessCheck {
  const threshold = options.threshold ?? 5;
  return {
    name: "polls",
    cacheMs: options.cacheMs ?? 15_000,
    check: async () => {
      const failing = (await read()).filter((k) => k.consecutiveFailures >= threshold);
      if (failing.length === 0) return;
      throw new OpsError("polls_failing", `${failing.length} poll key(s) keep failing`, {
        threshold,
        failing: failing.slice(0, 10).map((k) => ({
          key: k.id,
          consecutiveFailures: k.consecutiveFailures,
          error: k.lastErrorMessage || k.lastError || "unknown",
          ...(k.lastErrorAt ? { lastFailureAt: k.lastErrorAt } : {}),
        })),
      });
    },
  };
}
