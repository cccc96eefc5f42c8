import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { pino } from "pino";
import { Agent, type Dispatcher, request } from "undici";
import { type Clock, systemClock } from "../clock.ts";
import { HttpStatusError, MalformedResponseError, TransportError } from "../errors.ts";
import { type RateLimiter, unlimited } from "./rate-limiter.ts";
import {
  backoffMs,
  defaultRetryPolicy,
  isRetryableNetworkError,
  parseRetryAfter,
  RETRYABLE_STATUS,
  type RetryPolicy,
} from "./retry.ts";

/**
 * HTTP to the ION API gateway: bearer token, requests-per-minute pacing, retries. One undici
 * Agent keeps a keep-alive Pool per origin. Retries cover 429/502/503/504, connection failures
 * and malformed bodies (a truncated reply is a transport fault), bounded in count and total time;
 * a 401 triggers one token renewal and one retry. Only idempotent requests are retried.
 */

export interface TokenSource {
  getToken(): Promise<string>;
  onUnauthorized(used: string): Promise<string>;
}

export interface HttpClientOptions {
  apiBase: string;
  tokens: TokenSource;
  limiter?: RateLimiter | undefined;
  /** undici dispatcher; tests pass a MockAgent. Default: an Agent with the timeouts below. */
  dispatcher?: Dispatcher | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  connectTimeoutMs?: number | undefined;
  headersTimeoutMs?: number | undefined;
  bodyTimeoutMs?: number | undefined;
  /** Connections per origin (default 8). */
  connections?: number | undefined;
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
  logger?: Logger | undefined;
}

export interface InforRequest {
  method?: "GET" | "POST";
  /** Path under the API base (`/M3/m3api-rest/...`), or an absolute URL. */
  path: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  body?: string;
  /** GET is idempotent; set true for a POST that is (e.g. a read by POST). */
  idempotent?: boolean;
}

export interface InforResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  requestId: string;
  url: string;
}

export interface HttpStats {
  requests: number;
  retries: number;
  status429: number;
  status5xx: number;
  networkErrors: number;
  malformed: number;
  unauthorized: number;
}

export class InforHttpClient {
  readonly stats: HttpStats = {
    requests: 0,
    retries: 0,
    status429: 0,
    status5xx: 0,
    networkErrors: 0,
    malformed: 0,
    unauthorized: 0,
  };
  readonly apiBase: string;
  private readonly tokens: TokenSource;
  private readonly limiter: RateLimiter;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly policy: RetryPolicy;
  private readonly headersTimeoutMs: number;
  private readonly bodyTimeoutMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;

  constructor(o: HttpClientOptions) {
    this.apiBase = o.apiBase.replace(/\/+$/, "");
    this.tokens = o.tokens;
    this.limiter = o.limiter ?? unlimited;
    this.policy = { ...defaultRetryPolicy, ...o.retry };
    this.headersTimeoutMs = o.headersTimeoutMs ?? 30_000;
    this.bodyTimeoutMs = o.bodyTimeoutMs ?? 60_000;
    this.ownsDispatcher = !o.dispatcher;
    this.dispatcher =
      o.dispatcher ??
      new Agent({
        connections: o.connections ?? 8,
        connectTimeout: o.connectTimeoutMs ?? 10_000,
        headersTimeout: this.headersTimeoutMs,
        bodyTimeout: this.bodyTimeoutMs,
        keepAliveTimeout: 30_000,
      });
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? Math.random;
    this.log = o.logger ?? pino({ level: "silent" });
  }

  url(req: InforRequest): string {
    const base = /^https?:\/\//.test(req.path) ? req.path : `${this.apiBase}${req.path}`;
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) params.append(k, String(v));
    }
    const qs = params.toString();
    return qs ? `${base}${base.includes("?") ? "&" : "?"}${qs}` : base;
  }

  /** Send and return the raw response (any status that is not retried). */
  send(req: InforRequest): Promise<InforResponse> {
    return this.sendParsed(req, (res) => res);
  }

  /**
   * Send and parse. `parse` may throw MalformedResponseError: the request is retried like a
   * transport fault (truncated or garbled bodies are usually transient); other errors propagate.
   */
  async sendParsed<T>(req: InforRequest, parse: (res: InforResponse) => T): Promise<T> {
    const url = this.url(req);
    const requestId = randomUUID();
    const method = req.method ?? "GET";
    const retryable = method === "GET" || req.idempotent === true;
    const started = this.clock.now();
    let token = await this.tokens.getToken();
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      await this.limiter.acquire();
      this.stats.requests++;
      let failure: unknown;
      let retryAfter: number | undefined;
      try {
        const res = await request(url, {
          method,
          dispatcher: this.dispatcher,
          headers: {
            accept: "application/json",
            authorization: `Bearer ${token}`,
            "x-request-id": requestId,
            ...req.headers,
          },
          ...(req.body !== undefined ? { body: req.body } : {}),
          headersTimeout: this.headersTimeoutMs,
          bodyTimeout: this.bodyTimeoutMs,
        });
        const text = await res.body.text();
        const status = res.statusCode;
        const gatewayId = res.headers["x-request-id"];
        const response: InforResponse = {
          status,
          headers: res.headers,
          text,
          requestId: typeof gatewayId === "string" ? gatewayId : requestId,
          url,
        };
        if (status === 401) {
          this.stats.unauthorized++;
          if (renewed) throw new HttpStatusError(401, url, requestId);
          renewed = true;
          token = await this.tokens.onUnauthorized(token);
          attempt--; // the 401 path gets its own single retry, outside the backoff budget
          continue;
        }
        if (RETRYABLE_STATUS.has(status)) {
          if (status === 429) this.stats.status429++;
          else this.stats.status5xx++;
          const ra = res.headers["retry-after"];
          retryAfter = parseRetryAfter(typeof ra === "string" ? ra : undefined, this.clock.now());
          failure = new HttpStatusError(status, url, requestId);
        } else {
          try {
            return parse(response);
          } catch (err) {
            if (!(err instanceof MalformedResponseError)) throw err;
            this.stats.malformed++;
            failure = err;
          }
        }
      } catch (err) {
        if (!isRetryableNetworkError(err)) throw err;
        this.stats.networkErrors++;
        failure = new TransportError(
          `request failed: ${(err as { code?: string }).code ?? (err as Error).message}`,
          requestId,
          { cause: err },
        );
      }
      const delay = backoffMs(attempt, this.policy, retryAfter, this.random);
      const elapsed = this.clock.now() - started;
      if (
        !retryable ||
        attempt >= this.policy.maxAttempts ||
        elapsed + delay > this.policy.maxTotalMs
      ) {
        throw failure;
      }
      this.stats.retries++;
      this.log.warn(
        { requestId, attempt, delayMs: delay, code: (failure as { code?: string }).code },
        "retrying ION API request",
      );
      await this.clock.sleep(delay);
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}
