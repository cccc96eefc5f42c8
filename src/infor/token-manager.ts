import type { Logger } from "pino";
import { pino } from "pino";
import { type Dispatcher, request } from "undici";
import { codeOf } from "../shared/error-code.ts";
import { type Clock, systemClock } from "./clock.ts";
import { AuthFailedError, AuthRejectedError, SignInCappedError } from "./errors.ts";
import { LocalSignInGate, type SignInGate } from "./http/signin-gate.ts";
import type { IonapiCredentials } from "./ionapi.ts";

/**
 * One bearer token per service account, shared by every caller in the process.
 * - single flight: however many callers wait, one request goes to the token endpoint;
 * - proactive refresh: at min(90% of lifetime, 5 min before expiry), but never before half the
 *   lifetime (tenants set 1-24 h; tests use seconds). Callers keep using the still-valid token
 *   while the refresh runs;
 * - refresh_token grant when the app issued one, else the password grant (ion-api-sdk README);
 *   a refused refresh falls back to the password grant once;
 * - a cap on token-endpoint calls per minute: ION allows a service account only tens of sign-ins
 *   a minute and about a thousand a day (infor-ion-api.md), so a 401 storm must not become a
 *   sign-in storm;
 * - `invalid_grant` / `invalid_client` on the password grant → AuthRejectedError, remembered for
 *   `rejectCooldownMs` so callers fail fast instead of hammering the endpoint.
 */

export interface TokenManagerOptions {
  credentials: IonapiCredentials;
  dispatcher?: Dispatcher | undefined;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  /** Token-endpoint calls allowed per rolling minute (default 6). */
  maxSignInsPerMinute?: number | undefined;
  /** Where the cap is counted; default per process. Pass a RedisSignInGate to share it. */
  signInGate?: SignInGate | undefined;
  /** After a rejection, fail fast for this long (default 60 s). */
  rejectCooldownMs?: number | undefined;
  /** Fallback lifetime when `expires_in` is missing or nonsense (default 1 h). */
  defaultLifetimeSec?: number | undefined;
  timeoutMs?: number | undefined;
}

interface Token {
  access: string;
  refresh: string | undefined;
  obtainedAt: number;
  expiresAt: number;
  refreshAt: number;
}

export interface TokenStats {
  signIns: number;
  refreshes: number;
  passwordGrants: number;
  rejected: number;
}

const FIVE_MIN = 5 * 60_000;

/** When to refresh a token of `lifetimeMs` obtained at `t0`. Pure, exported for tests. */
export function refreshTime(t0: number, lifetimeMs: number): number {
  const ahead = Math.min(0.9 * lifetimeMs, lifetimeMs - FIVE_MIN);
  return t0 + Math.max(0.5 * lifetimeMs, ahead);
}

export class TokenManager {
  readonly stats: TokenStats = { signIns: 0, refreshes: 0, passwordGrants: 0, rejected: 0 };
  private readonly creds: IonapiCredentials;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly gate: SignInGate;
  private readonly rejectCooldownMs: number;
  private readonly defaultLifetimeSec: number;
  private readonly timeoutMs: number;
  private token: Token | undefined;
  private inflight: Promise<Token> | undefined;
  private rejection: { error: AuthRejectedError; until: number } | undefined;
  private closed = false;

  constructor(options: TokenManagerOptions) {
    this.creds = options.credentials;
    this.dispatcher = options.dispatcher;
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? pino({ level: "silent" });
    this.gate =
      options.signInGate ?? new LocalSignInGate(options.maxSignInsPerMinute ?? 6, this.clock);
    this.rejectCooldownMs = options.rejectCooldownMs ?? 60_000;
    this.defaultLifetimeSec = options.defaultLifetimeSec ?? 3600;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** When the current access token expires; undefined before the first sign-in or after revoke. */
  get expiresAt(): Date | undefined {
    return this.token ? new Date(this.token.expiresAt) : undefined;
  }

  /** A valid access token; signs in or refreshes only when needed. */
  async getToken(): Promise<string> {
    const now = this.clock.now();
    const t = this.token;
    if (t && now < t.expiresAt) {
      if (now >= t.refreshAt && !this.inflight) {
        // Refresh in the background; this caller keeps the still-valid token.
        this.startRenewal().catch((err: unknown) =>
          this.log.warn({ code: codeOf(err) }, "proactive token refresh failed"),
        );
      }
      return t.access;
    }
    return (await this.startRenewal()).access;
  }

  /**
   * The gateway answered 401 to a request made with `used`. If that is still our token, drop it
   * and renew (single flight); if another caller already renewed, just return the new one.
   */
  async onUnauthorized(used: string): Promise<string> {
    if (this.token && this.token.access !== used && this.clock.now() < this.token.expiresAt) {
      return this.token.access;
    }
    if (this.token?.access === used) this.token = undefined;
    return (await this.startRenewal()).access;
  }

  /** Revoke the refresh token (which also revokes its access token) or the access token. */
  async revoke(): Promise<void> {
    this.closed = true;
    const t = this.token;
    this.token = undefined;
    if (!t) return;
    // A file without `or` has no revoke endpoint: the token then expires on its own.
    const revokeUrl = this.creds.revokeUrl;
    if (!revokeUrl) {
      this.log.info('no revoke URL (.ionapi key "or"): token left to expire');
      return;
    }
    const [token, hint] = t.refresh ? [t.refresh, "refresh_token"] : [t.access, "access_token"];
    try {
      const res = await request(revokeUrl, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${this.creds.clientId}:${this.creds.clientSecret}`).toString("base64")}`,
        },
        body: new URLSearchParams({ token, token_type_hint: hint }).toString(),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
      await res.body.dump();
      if (res.statusCode >= 400) this.log.warn({ status: res.statusCode }, "token revoke refused");
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "token revoke failed");
    }
  }

  private startRenewal(): Promise<Token> {
    if (this.inflight) return this.inflight;
    const p = this.renew().finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    this.inflight = p;
    return p;
  }

  private async renew(): Promise<Token> {
    if (this.closed) throw new AuthFailedError("token manager is shut down");
    const now = this.clock.now();
    if (this.rejection && now < this.rejection.until) throw this.rejection.error;
    const refresh = this.token?.refresh;
    if (refresh) {
      try {
        return await this.grant({ grant_type: "refresh_token", refresh_token: refresh }, true);
      } catch (err) {
        if (!(err instanceof AuthRejectedError)) throw err;
        this.log.info("refresh token refused; falling back to the password grant");
      }
    }
    const { serviceAccountAccessKey: saak, serviceAccountSecretKey: sask } = this.creds;
    if (!saak || !sask) {
      throw new AuthFailedError(
        "no refresh token and no service-account keys (saak/sask) to sign in",
      );
    }
    try {
      return await this.grant({ grant_type: "password", username: saak, password: sask }, false);
    } catch (err) {
      if (err instanceof AuthRejectedError) {
        this.stats.rejected++;
        this.rejection = { error: err, until: this.clock.now() + this.rejectCooldownMs };
      }
      throw err;
    }
  }

  private async takeSignInSlot(): Promise<void> {
    let wait: number;
    try {
      wait = await this.gate.take();
    } catch (err) {
      // Without the shared counter, sign in anyway: refusing would stop every ERP call, and
      // the token endpoint's own limit still protects the account.
      this.log.warn({ err: (err as Error).message }, "sign-in gate unavailable");
      return;
    }
    if (wait > 0) throw new SignInCappedError(wait);
  }

  private async grant(form: Record<string, string>, isRefresh: boolean): Promise<Token> {
    await this.takeSignInSlot();
    this.stats.signIns++;
    if (isRefresh) this.stats.refreshes++;
    else this.stats.passwordGrants++;
    const body = new URLSearchParams({
      ...form,
      client_id: this.creds.clientId,
      client_secret: this.creds.clientSecret,
    });
    if (this.creds.scopes.length > 0) body.set("scope", this.creds.scopes.join(" "));
    let status: number;
    let text: string;
    try {
      const res = await request(this.creds.tokenUrl, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: body.toString(),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw new AuthFailedError(`token endpoint unreachable: ${(err as Error).message}`, {
        cause: err,
      });
    }
    let json: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object") json = parsed as Record<string, unknown>;
    } catch {
      // handled below: a non-JSON reply is either a rejection (4xx) or a failure
    }
    const oauthError = typeof json.error === "string" ? json.error : undefined;
    if (status === 400 || status === 401 || status === 403) {
      // RFC 6749 §5.2: invalid_grant / invalid_client / unauthorized_client are final for these keys.
      throw new AuthRejectedError(oauthError ?? `HTTP ${status}`);
    }
    if (status !== 200 || typeof json.access_token !== "string" || !json.access_token) {
      throw new AuthFailedError(`token endpoint answered HTTP ${status} without an access token`);
    }
    // expires_in is parsed defensively (cjrentier's script copes when it is missing).
    const rawLife = Number(json.expires_in);
    const lifeSec = Number.isFinite(rawLife) && rawLife > 0 ? rawLife : this.defaultLifetimeSec;
    const now = this.clock.now();
    const lifetimeMs = lifeSec * 1000;
    const refreshToken =
      typeof json.refresh_token === "string" && json.refresh_token
        ? json.refresh_token
        : isRefresh
          ? this.token?.refresh
          : undefined;
    const token: Token = {
      access: json.access_token,
      refresh: refreshToken,
      obtainedAt: now,
      expiresAt: now + lifetimeMs,
      refreshAt: refreshTime(now, lifetimeMs),
    };
    this.token = token;
    this.rejection = undefined;
    this.log.info({ grant: form.grant_type, lifetimeSec: lifeSec }, "ION API token obtained");
    return token;
  }
}
