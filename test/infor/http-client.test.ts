import type { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AuthFailedError,
  AuthRejectedError,
  HttpStatusError,
  MalformedResponseError,
  TransportError,
} from "../../src/infor/errors.ts";
import { InforHttpClient, type TokenSource } from "../../src/infor/http/client.ts";
import { backoffMs, defaultRetryPolicy, parseRetryAfter } from "../../src/infor/http/retry.ts";
import { parseJsonBody } from "../../src/infor/m3/mi-parse.ts";
import { API_ORIGIN, FakeClock, mockAgent } from "./helpers.ts";

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

class StubTokens implements TokenSource {
  n = 1;
  renewals = 0;
  async getToken() {
    return `T${this.n}`;
  }
  async onUnauthorized(used: string) {
    if (used === `T${this.n}`) {
      this.n++;
      this.renewals++;
    }
    return `T${this.n}`;
  }
}

function client(tokens: TokenSource = new StubTokens(), retry = {}) {
  return new InforHttpClient({
    apiBase: `${API_ORIGIN}/ACME_TST`,
    tokens,
    dispatcher: agent,
    clock,
    random: () => 0.5,
    retry,
  });
}

const PATH = "/ACME_TST/M3/m3api-rest/v2/execute/CRS620MI/GetBasicData?SUNO=S1";
const req = { path: "/M3/m3api-rest/v2/execute/CRS620MI/GetBasicData", query: { SUNO: "S1" } };

describe("retry policy (pure)", () => {
  it("parses Retry-After seconds and HTTP dates", () => {
    expect(parseRetryAfter("3", 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
  it("backs off exponentially with jitter, capped, never below Retry-After", () => {
    const p = { ...defaultRetryPolicy, baseMs: 100, capMs: 1000 };
    expect(backoffMs(1, p, undefined, () => 0)).toBe(50);
    expect(backoffMs(1, p, undefined, () => 1)).toBe(100);
    expect(backoffMs(3, p, undefined, () => 1)).toBe(400);
    expect(backoffMs(10, p, undefined, () => 1)).toBe(1000);
    expect(backoffMs(1, p, 5000, () => 0)).toBe(5000);
  });
});

describe("InforHttpClient", () => {
  it("sends the bearer token and a request id", async () => {
    agent
      .get(API_ORIGIN)
      .intercept({ path: PATH, headers: { authorization: "Bearer T1" } })
      .reply(200, "{}", { headers: { "x-request-id": "gw-1" } });
    const res = await client().send(req);
    expect(res).toMatchObject({ status: 200, requestId: "gw-1" });
  });

  it("retries 429, 502, 503, 504 with backoff and honours Retry-After", async () => {
    const pool = agent.get(API_ORIGIN);
    pool.intercept({ path: PATH }).reply(429, "", { headers: { "retry-after": "7" } });
    pool.intercept({ path: PATH }).reply(502, "<html>bad gateway</html>");
    pool.intercept({ path: PATH }).reply(503, "");
    pool.intercept({ path: PATH }).reply(504, "");
    pool.intercept({ path: PATH }).reply(200, '{"ok":true}');
    const c = client();
    const res = await c.send(req);
    expect(res.text).toBe('{"ok":true}');
    expect(clock.sleeps[0]).toBe(7000);
    expect(clock.sleeps).toHaveLength(4);
    expect(c.stats).toMatchObject({ status429: 1, status5xx: 3, retries: 4 });
  });

  it("gives up after maxAttempts with the last status", async () => {
    agent.get(API_ORIGIN).intercept({ path: PATH }).reply(503, "").times(3);
    const err = await client(undefined, { maxAttempts: 3 })
      .send(req)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect((err as HttpStatusError).status).toBe(503);
  });

  it("stops when the total time budget would be exceeded", async () => {
    agent
      .get(API_ORIGIN)
      .intercept({ path: PATH })
      .reply(429, "", { headers: { "retry-after": "120" } });
    const err = await client(undefined, { maxTotalMs: 60_000 })
      .send(req)
      .catch((e: unknown) => e);
    expect((err as HttpStatusError).status).toBe(429);
    expect(clock.sleeps).toEqual([]);
  });

  it("retries connection resets, then succeeds", async () => {
    const pool = agent.get(API_ORIGIN);
    pool
      .intercept({ path: PATH })
      .replyWithError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    pool.intercept({ path: PATH }).reply(200, "{}");
    const c = client();
    expect((await c.send(req)).status).toBe(200);
    expect(c.stats.networkErrors).toBe(1);
  });

  it("a reset on every attempt ends as a TransportError with the request id", async () => {
    agent
      .get(API_ORIGIN)
      .intercept({ path: PATH })
      .replyWithError(Object.assign(new Error("reset"), { code: "ECONNRESET" }))
      .times(2);
    const err = await client(undefined, { maxAttempts: 2 })
      .send(req)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).requestId).toMatch(/[0-9a-f-]{36}/);
  });

  it("401 → one token renewal and one retry; a second 401 fails", async () => {
    const pool = agent.get(API_ORIGIN);
    pool.intercept({ path: PATH, headers: { authorization: "Bearer T1" } }).reply(401, "");
    pool.intercept({ path: PATH, headers: { authorization: "Bearer T2" } }).reply(200, "{}");
    const tokens = new StubTokens();
    expect((await client(tokens).send(req)).status).toBe(200);
    expect(tokens.renewals).toBe(1);
    pool.intercept({ path: PATH }).reply(401, "").times(2);
    const err = await client(tokens)
      .send(req)
      .catch((e: unknown) => e);
    expect((err as HttpStatusError).status).toBe(401);
    expect(tokens.renewals).toBe(2);
  });

  it("retries a malformed body, then reports it typed with the request id", async () => {
    const pool = agent.get(API_ORIGIN);
    pool.intercept({ path: PATH }).reply(200, '{"results":[{"rec');
    pool.intercept({ path: PATH }).reply(200, "<!DOCTYPE html><html>maintenance</html>");
    const c = client(undefined, { maxAttempts: 2 });
    const err = await c.sendParsed(req, parseJsonBody).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect((err as MalformedResponseError).kind).toBe("html");
    expect(c.stats.malformed).toBe(2);
  });

  it("retries a transient token failure, but not a rejection", async () => {
    agent.get(API_ORIGIN).intercept({ path: PATH }).reply(200, "{}");
    let calls = 0;
    const flaky: TokenSource = {
      getToken: async () => {
        calls++;
        if (calls === 1) throw new AuthFailedError("token endpoint answered HTTP 503");
        return "T";
      },
      onUnauthorized: async () => "T",
    };
    expect((await client(flaky).send(req)).status).toBe(200);
    expect(calls).toBe(2);
    const rejected: TokenSource = {
      getToken: async () => {
        throw new AuthRejectedError("invalid_grant");
      },
      onUnauthorized: async () => "T",
    };
    await expect(client(rejected).send(req)).rejects.toBeInstanceOf(AuthRejectedError);
  });

  it("does not retry a POST that is not marked idempotent", async () => {
    agent.get(API_ORIGIN).intercept({ path: "/ACME_TST/x", method: "POST" }).reply(503, "");
    const err = await client()
      .send({ method: "POST", path: "/x", body: "{}" })
      .catch((e: unknown) => e);
    expect((err as HttpStatusError).status).toBe(503);
    expect(clock.sleeps).toEqual([]);
  });
});
