import { afterEach, describe, expect, it } from "vitest";
import { RateLimiter, retryAfterHeaders } from "../../sandbox/slack-emu/limits.ts";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { clientFor, errorOf } from "./helpers.ts";

let emu: SlackEmu | undefined;
// A manual clock: the emulator's buckets only see time move when the test moves it, so a
// slow, shared CPU cannot refill a bucket between two calls.
let now = 1_800_000_000_000;
const nowMs = () => now;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe("rate limiter (pure, injected clock)", () => {
  it("allows the burst, then 1 per scaled second, and says how long to wait", () => {
    let now = 0;
    const limiter = new RateLimiter(() => now, 10);
    const bucket = { ratePerSecond: 1, burst: 3 };
    for (let i = 0; i < 3; i += 1) expect(limiter.take([["c", bucket]]).allowed).toBe(true);
    const denied = limiter.take([["c", bucket]]);
    expect(denied).toEqual({ allowed: false, retryAfterMs: 100 });
    now = 100;
    expect(limiter.take([["c", bucket]]).allowed).toBe(true);
    expect(limiter.take([["d", bucket]]).allowed).toBe(true);
  });

  it("keeps Retry-After in whole seconds, rounded up, with the precise wait beside it", () => {
    expect(retryAfterHeaders(100)).toEqual({ "retry-after": "1", "x-emu-retry-after-ms": "100" });
    expect(retryAfterHeaders(2500)).toEqual({ "retry-after": "3", "x-emu-retry-after-ms": "2500" });
  });
});

describe("limits over HTTP with the Web API client", () => {
  it("answers 429 with Retry-After at the per-channel limit, counts it, and spares other channels", async () => {
    emu = await startSlackEmu({ timeScale: 10, nowMs });
    const slack = clientFor(emu);
    const post = (channel: string) => slack.chat.postMessage({ channel, text: "x" });
    // burst of 3 allowed; the 4th within the same scaled second is over the limit
    for (let i = 0; i < 3; i += 1) await post("C0FINANCE1");
    const err = await errorOf(() => post("C0FINANCE1"));
    expect(err.code).toBe("slack_webapi_rate_limited_error");
    expect(err.retryAfter).toBe(1);
    await expect(post("C0AP000001")).resolves.toMatchObject({ ok: true });
    expect(emu.inspect.rateLimited()).toEqual({
      total: 1,
      byMethod: { "chat.postMessage": 1 },
      byChannel: { C0FINANCE1: 1 },
    });
    expect(emu.inspect.messages("C0FINANCE1")).toHaveLength(3);
  });

  it("sends the scaled wait in X-Emu-Retry-After-Ms and lets the call through after it", async () => {
    emu = await startSlackEmu({
      timeScale: 10,
      nowMs,
      limits: { postMessagePerChannel: { ratePerSecond: 1, burst: 1 } },
    });
    const call = () =>
      fetch(`${emu?.url}chat.postMessage`, {
        method: "POST",
        headers: { authorization: `Bearer ${emu?.botToken}`, "content-type": "application/json" },
        body: JSON.stringify({ channel: "C0GENERAL1", text: "x" }),
      });
    expect((await call()).status).toBe(200);
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ ok: false, error: "ratelimited" });
    expect(limited.headers.get("retry-after")).toBe("1");
    const waitMs = Number(limited.headers.get("x-emu-retry-after-ms"));
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(100);
    now += waitMs - 1;
    expect((await call()).status).toBe(429);
    now += 1;
    expect((await call()).status).toBe(200);
  });

  it("applies a workspace-wide cap across channels", async () => {
    emu = await startSlackEmu({
      timeScale: 10,
      nowMs,
      limits: { postMessageWorkspace: { ratePerSecond: 1, burst: 2 } },
    });
    const slack = clientFor(emu);
    await slack.chat.postMessage({ channel: "C0GENERAL1", text: "1" });
    await slack.chat.postMessage({ channel: "C0FINANCE1", text: "2" });
    const err = await errorOf(() => slack.chat.postMessage({ channel: "C0AP000001", text: "3" }));
    expect(err.code).toBe("slack_webapi_rate_limited_error");
    expect(emu.inspect.rateLimited().byChannel).toEqual({ C0AP000001: 1 });
  });

  it("limits other methods by tier", async () => {
    emu = await startSlackEmu({
      timeScale: 10,
      nowMs,
      limits: {
        tiers: {
          1: { ratePerSecond: 1, burst: 1 },
          2: { ratePerSecond: 1, burst: 2 },
          3: { ratePerSecond: 1, burst: 50 },
          4: { ratePerSecond: 1, burst: 100 },
        },
      },
    });
    const slack = clientFor(emu);
    await slack.conversations.list();
    await slack.conversations.list();
    const err = await errorOf(() => slack.conversations.list());
    expect(err.code).toBe("slack_webapi_rate_limited_error");
    await expect(slack.auth.test()).resolves.toMatchObject({ ok: true });
    expect(emu.inspect.rateLimited().byMethod).toEqual({ "conversations.list": 1 });
  });
});
