import type { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthRejectedError, SignInCappedError } from "../../src/infor/errors.ts";
import { refreshTime, TokenManager } from "../../src/infor/token-manager.ts";
import { codeOf } from "../../src/shared/error-code.ts";
import { creds, FakeClock, form, mockAgent, TOKEN_PATH, tokenBody } from "./helpers.ts";

const SSO = "https://mingle-sso.example.com";
const JSON_HEADERS = { headers: { "content-type": "application/json" } };

let agent: MockAgent;
let clock: FakeClock;

beforeEach(() => {
  agent = mockAgent();
  clock = new FakeClock();
});
afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

function grant(type: string) {
  return (body: string) => form(body).get("grant_type") === type;
}

function manager(extra: Partial<ConstructorParameters<typeof TokenManager>[0]> = {}) {
  return new TokenManager({ credentials: creds(), dispatcher: agent, clock, ...extra });
}

describe("refreshTime", () => {
  it.each([
    [3600, 3240], // 1 h: 90 % (54 min) is sooner than 55 min
    [86_400, 77_760], // 24 h: 90 %
    [7200, 6480],
    [10, 5], // seconds-long test tokens: never before half the lifetime
  ])("lifetime %is → refresh after %is", (life, after) => {
    expect(refreshTime(0, life * 1000)).toBe(after * 1000);
  });
});

describe("TokenManager", () => {
  it("signs in once however many callers wait (single flight), with the password grant", async () => {
    agent
      .get(SSO)
      .intercept({
        path: TOKEN_PATH,
        method: "POST",
        body: (b: string) => {
          const f = form(b);
          return (
            f.get("grant_type") === "password" &&
            f.get("username") === "ACME_TST#service-access-key" &&
            f.get("client_id") === "ACME_TST~clientid123"
          );
        },
      })
      .reply(200, tokenBody("AT1"), JSON_HEADERS)
      .delay(20);
    const tm = manager();
    const tokens = await Promise.all(Array.from({ length: 25 }, () => tm.getToken()));
    expect(new Set(tokens)).toEqual(new Set(["AT1"]));
    expect(tm.stats.signIns).toBe(1);
  });

  it("refreshes ahead of expiry with the refresh_token grant while callers keep the old token", async () => {
    const sso = agent.get(SSO);
    sso
      .intercept({ path: TOKEN_PATH, method: "POST", body: grant("password") })
      .reply(200, tokenBody("AT1", 100, "RT1"), JSON_HEADERS);
    sso
      .intercept({
        path: TOKEN_PATH,
        method: "POST",
        body: (b: string) => form(b).get("refresh_token") === "RT1" && grant("refresh_token")(b),
      })
      .reply(200, tokenBody("AT2", 100), JSON_HEADERS);
    const tm = manager();
    expect(tm.expiresAt).toBeUndefined();
    const t0 = clock.now();
    expect(await tm.getToken()).toBe("AT1");
    // `/infor status` shows this: obtained at t0 with expires_in 100 s.
    expect(tm.expiresAt?.getTime()).toBe(t0 + 100_000);
    clock.advance(40_000);
    expect(await tm.getToken()).toBe("AT1"); // before the refresh point: no call
    clock.advance(20_000); // 60 s of 100: past the refresh point, still valid
    expect(await tm.getToken()).toBe("AT1");
    await vi.waitFor(async () => expect(await tm.getToken()).toBe("AT2"));
    expect(tm.expiresAt?.getTime()).toBe(t0 + 60_000 + 100_000);
    expect(tm.stats).toMatchObject({ signIns: 2, refreshes: 1, passwordGrants: 1 });
  });

  it("falls back to the password grant when the refresh token is refused", async () => {
    const sso = agent.get(SSO);
    sso
      .intercept({ path: TOKEN_PATH, method: "POST", body: grant("password") })
      .reply(200, tokenBody("AT1", 100, "RT1"), JSON_HEADERS);
    sso
      .intercept({ path: TOKEN_PATH, method: "POST", body: grant("refresh_token") })
      .reply(400, { error: "invalid_grant" });
    sso
      .intercept({ path: TOKEN_PATH, method: "POST", body: grant("password") })
      .reply(200, tokenBody("AT2", 100), JSON_HEADERS);
    const tm = manager();
    await tm.getToken();
    clock.advance(101_000); // expired: callers wait for the renewal
    expect(await tm.getToken()).toBe("AT2");
  });

  it("on 401 renews once for all callers holding the rejected token", async () => {
    const sso = agent.get(SSO);
    sso.intercept({ path: TOKEN_PATH, method: "POST" }).reply(200, tokenBody("AT1"), JSON_HEADERS);
    sso
      .intercept({ path: TOKEN_PATH, method: "POST" })
      .reply(200, tokenBody("AT2"), JSON_HEADERS)
      .delay(10);
    const tm = manager();
    const used = await tm.getToken();
    const renewed = await Promise.all([
      tm.onUnauthorized(used),
      tm.onUnauthorized(used),
      tm.onUnauthorized(used),
    ]);
    expect(renewed).toEqual(["AT2", "AT2", "AT2"]);
    // A late 401 for the old token does not trigger another sign-in.
    expect(await tm.onUnauthorized(used)).toBe("AT2");
    expect(tm.stats.signIns).toBe(2);
  });

  it("caps sign-ins per minute", async () => {
    const sso = agent.get(SSO);
    sso.intercept({ path: TOKEN_PATH, method: "POST" }).reply(200, tokenBody("A"), JSON_HEADERS);
    sso.intercept({ path: TOKEN_PATH, method: "POST" }).reply(200, tokenBody("B"), JSON_HEADERS);
    sso.intercept({ path: TOKEN_PATH, method: "POST" }).reply(200, tokenBody("C"), JSON_HEADERS);
    const tm = manager({ maxSignInsPerMinute: 2 });
    const a = await tm.getToken();
    const b = await tm.onUnauthorized(a);
    const err = await tm.onUnauthorized(b).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignInCappedError);
    expect((err as SignInCappedError).code).toBe("signin_capped");
    expect((err as SignInCappedError).retryAfterMs).toBeGreaterThan(0);
    clock.advance(61_000);
    expect(await tm.getToken()).toBe("C");
  });

  it("invalid_grant → AuthRejectedError, remembered: no retry storm", async () => {
    agent
      .get(SSO)
      .intercept({ path: TOKEN_PATH, method: "POST" })
      .reply(400, { error: "invalid_grant", error_description: "bad" });
    const tm = manager();
    const errors = await Promise.all(
      Array.from({ length: 5 }, () => tm.getToken().catch((e: unknown) => e)),
    );
    for (const e of errors) {
      expect(e).toBeInstanceOf(AuthRejectedError);
      expect((e as AuthRejectedError).code).toBe("auth_rejected");
      expect((e as Error).message).not.toContain("service-secret-key-value");
    }
    const again = await tm.getToken().catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AuthRejectedError);
    expect(tm.stats.signIns).toBe(1);
  });

  it("a 5xx from the token endpoint is a retryable auth failure, not a rejection", async () => {
    agent.get(SSO).intercept({ path: TOKEN_PATH, method: "POST" }).reply(503, "down");
    const err = await manager()
      .getToken()
      .catch((e: unknown) => e);
    expect(codeOf(err)).toBe("auth_failed");
  });

  it("revokes the refresh token on shutdown with client Basic auth", async () => {
    const sso = agent.get(SSO);
    sso
      .intercept({ path: TOKEN_PATH, method: "POST" })
      .reply(200, tokenBody("AT1", 3600, "RT1"), JSON_HEADERS);
    sso
      .intercept({
        path: "/ACME_TST/as/revoke_token.oauth2",
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from("ACME_TST~clientid123:very-secret-client-secret").toString("base64")}`,
        },
        body: (b: string) =>
          form(b).get("token") === "RT1" && form(b).get("token_type_hint") === "refresh_token",
      })
      .reply(200, "");
    const tm = manager();
    await tm.getToken();
    await tm.revoke();
    await expect(tm.getToken()).rejects.toMatchObject({ code: "auth_failed" });
  });
});
