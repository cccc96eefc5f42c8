import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Dispatcher } from "undici";
import { DEFAULT_KEY_PREFIX } from "../shared/key-prefix.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type { Clock } from "./clock.ts";
import { InforHttpClient } from "./http/client.ts";
import { LocalRateLimiter, type RateLimiter, RedisRateLimiter } from "./http/rate-limiter.ts";
import type { RetryPolicy } from "./http/retry.ts";
import { RedisSignInGate } from "./http/signin-gate.ts";
import { IdoClient } from "./ido/ido-client.ts";
import type { IonapiCredentials } from "./ionapi.ts";
import { MiClient, type MiVersion } from "./m3/mi-client.ts";
import { TokenManager } from "./token-manager.ts";

/**
 * Wires one tenant's client: token manager, paced HTTP, MI and IDO. With `redis`, the
 * requests-per-minute budget is shared by every replica using the same key prefix; without it
 * the budget holds for this process only (fine for a CLI call).
 */
export interface InforClientOptions {
  credentials: IonapiCredentials;
  /** Requests per minute for this tenant (ION budgets 100-3,000; default 300). */
  requestsPerMinute?: number;
  /** Budget window (default 60,000 ms); tests and benches shrink it. */
  windowMs?: number;
  /** Extra spacing over window/limit (default 0.01); short test windows need more. */
  budgetHeadroom?: number;
  redis?: RedisClient;
  /** Redis key prefix (default "cs:"); the budget key is `<prefix>infor:rpm:<tenant>`. */
  keyPrefix?: string;
  limiter?: RateLimiter;
  dispatcher?: Dispatcher;
  logger?: Logger;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  miVersion?: MiVersion;
  company?: string;
  division?: string;
  /** X-Infor-MongooseConfig for SyteLine IDO calls. */
  mongooseConfig?: string;
  maxSignInsPerMinute?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
}

export interface InforClient {
  credentials: IonapiCredentials;
  tokens: TokenManager;
  http: InforHttpClient;
  mi: MiClient;
  ido: IdoClient;
  /** Revoke the token and close connections (graceful shutdown). */
  close(): Promise<void>;
}

/** The cap belongs to the service account; its key is hashed so Redis never holds it. */
function accountHash(c: IonapiCredentials): string {
  return createHash("sha256")
    .update(c.serviceAccountAccessKey ?? c.clientId)
    .digest("hex")
    .slice(0, 16);
}

export function createInforClient(o: InforClientOptions): InforClient {
  const budget = {
    limit: o.requestsPerMinute ?? 300,
    ...(o.windowMs ? { windowMs: o.windowMs } : {}),
  };
  const limiter =
    o.limiter ??
    (o.redis
      ? new RedisRateLimiter(
          o.redis,
          `${o.keyPrefix ?? DEFAULT_KEY_PREFIX}infor:rpm:${o.credentials.tenant}`,
          budget,
          o.clock,
          {
            limiter: new LocalRateLimiter(budget, o.clock),
            onFallback: (err) =>
              o.logger?.warn(
                { err: err.message },
                "Redis unreachable: pacing ION calls per process until it is back",
              ),
          },
        )
      : new LocalRateLimiter(budget, o.clock));
  const tokens = new TokenManager({
    credentials: o.credentials,
    // With Redis, replicas share the service account's sign-in cap, as they share its limit.
    signInGate: o.redis
      ? new RedisSignInGate(
          o.redis,
          `${o.keyPrefix ?? DEFAULT_KEY_PREFIX}infor:signins:${o.credentials.tenant}:${accountHash(o.credentials)}`,
          o.maxSignInsPerMinute ?? 6,
        )
      : undefined,
    dispatcher: o.dispatcher,
    clock: o.clock,
    logger: o.logger,
    maxSignInsPerMinute: o.maxSignInsPerMinute,
  });
  const http = new InforHttpClient({
    apiBase: o.credentials.apiBase,
    tokens,
    limiter,
    dispatcher: o.dispatcher,
    retry: o.retry,
    clock: o.clock,
    logger: o.logger,
    connectTimeoutMs: o.connectTimeoutMs,
    headersTimeoutMs: o.headersTimeoutMs,
    bodyTimeoutMs: o.bodyTimeoutMs,
  });
  const mi = new MiClient({ http, version: o.miVersion, company: o.company, division: o.division });
  const ido = new IdoClient(http, o.mongooseConfig ?? o.credentials.tenant);
  return {
    credentials: o.credentials,
    tokens,
    http,
    mi,
    ido,
    async close() {
      await tokens.revoke();
      await http.close();
    },
  };
}
