import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { pino } from "pino";
import { Agent, type Dispatcher, request } from "undici";
import { codeOf } from "../../shared/error-code.ts";
import { type Clock, systemClock } from "../clock.ts";
import {
  AuthFailedError,
  HttpStatusError,
  type InforError,
  MalformedResponseError,
  SignInCappedError,
  TransportError,
} from "../errors.ts";
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
  /**
   * GET is idempotent; set true for a POST that is (e.g. a read by POST), false for a GET that
   * changes state (an MI write): such a request is never retried here.
   */
  idempotent?: boolean;
}

export interface InforResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  requestId: string;
  url: string;
}

interface Call {
  url: string;
  req: InforRequest;
  requestId: string;
  token: string | undefined;
  /** The one 401 renewal of this call has been used. */
  renewed: boolean;
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
    const call: Call = {
      url: this.url(req),
      req,
      requestId: randomUUID(),
      token: undefined,
      renewed: false,
    };
    // `idempotent: false` on a GET turns retries off: M3 MI writes (ApproveInvoice) are GETs.
    const retryable = req.idempotent ?? (req.method ?? "GET") === "GET";
    const started = this.clock.now();
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(call, parse);
      if (outcome.ok) return outcome.value;
      const { failure, retryAfter } = outcome;
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
        { requestId: call.requestId, attempt, delayMs: delay, code: failure.code },
        "retrying ION API request",
      );
      await this.clock.sleep(delay);
    }
  }

  /**
   * One try (plus, on a 401, one renewal and one more try). Returns the parsed value or a
   * retryable failure; throws what no retry can fix (business errors, AuthRejectedError, 4xx).
   */
  private async attempt<T>(
    call: Call,
    parse: (res: InforResponse) => T,
  ): Promise<{ ok: true; value: T } | { ok: false; failure: InforError; retryAfter?: number }> {
    try {
      // A token endpoint hiccup (5xx, reset) is retried like any other transient fault.
      call.token ??= await this.tokens.getToken();
      for (;;) {
        await this.limiter.acquire();
        this.stats.requests++;
        const response = await this.exchange(call, call.token);
        if (response.status === 401) {
          this.stats.unauthorized++;
          if (call.renewed) throw new HttpStatusError(401, call.url, call.requestId);
          call.renewed = true;
          call.token = await this.tokens.onUnauthorized(call.token);
          continue;
        }
        if (RETRYABLE_STATUS.has(response.status)) {
          if (response.status === 429) this.stats.status429++;
          else this.stats.status5xx++;
          const ra = response.headers["retry-after"];
          const retryAfter = parseRetryAfter(
            typeof ra === "string" ? ra : undefined,
            this.clock.now(),
          );
          const failure = new HttpStatusError(response.status, call.url, call.requestId);
          return retryAfter === undefined
            ? { ok: false, failure }
            : { ok: false, failure, retryAfter };
        }
        return { ok: true, value: parse(response) };
      }
    } catch (err) {
      if (err instanceof MalformedResponseError) {
        this.stats.malformed++;
        return { ok: false, failure: err };
      }
      if (err instanceof SignInCappedError)
        return { ok: false, failure: err, retryAfter: err.retryAfterMs };
      if (err instanceof AuthFailedError) return { ok: false, failure: err };
      if (isRetryableNetworkError(err)) {
        this.stats.networkErrors++;
        const code = codeOf(err) ?? (err as Error).message;
        return {
          ok: false,
          failure: new TransportError(`request failed: ${code}`, call.requestId, { cause: err }),
        };
      }
      throw err;
    }
  }

  private async exchange(call: Call, token: string): Promise<InforResponse> {
    const res = await request(call.url, {
      method: call.req.method ?? "GET",
      dispatcher: this.dispatcher,
      headers: {
        accept: "application/json",
        authorization: `Bearer ${token}`,
        "x-request-id": call.requestId,
        ...call.req.headers,
      },
      ...(call.req.body !== undefined ? { body: call.req.body } : {}),
      headersTimeout: this.headersTimeoutMs,
      bodyTimeout: this.bodyTimeoutMs,
    });
    const text = await res.body.text();
    const gatewayId = res.headers["x-request-id"];
    return {
      status: res.statusCode,
      headers: res.headers,
      text,
      requestId: typeof gatewayId === "string" ? gatewayId : call.requestId,
      url: call.url,
    };
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}
