import { ErrorCode, WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestFetch } from "../../src/slack/destination/request-fetch.ts";
import { startLoopbackServer } from "../support/loopback-server.ts";

let server: Awaited<ReturnType<typeof startLoopbackServer>>;
let base = "";
const seen: { method?: string; auth?: string; type?: string; body: string }[] = [];

beforeAll(async () => {
  server = await startLoopbackServer((req, res, body) => {
    seen.push({
      ...(req.method ? { method: req.method } : {}),
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
      ...(req.headers["content-type"] ? { type: req.headers["content-type"] } : {}),
      body,
    });
    const path = req.url ?? "";
    if (path.endsWith("/chat.postMessage")) {
      res.writeHead(200, { "content-type": "application/json", "x-oauth-scopes": "chat:write" });
      res.end(JSON.stringify({ ok: true, channel: "C1", ts: "1.000100" }));
    } else if (path.endsWith("/limited")) {
      res.writeHead(429, { "retry-after": "7", "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
    } else if (path.endsWith("/broken")) {
      res.writeHead(503, { "content-type": "text/plain" });
      res.end("down");
    } else if (path.endsWith("/moved")) {
      res.writeHead(302, { location: "/elsewhere" });
      res.end();
    } else if (path.endsWith("/slow")) {
      setTimeout(() => res.end("{}"), 2_000);
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error: "channel_not_found" }));
    }
  });
  base = `${server.base}/api/`;
});
afterAll(() => server.close());

describe("requestFetch (the bulk WebClient's transport)", () => {
  it("answers what fetch answers: status, headers, body; sends method, headers and body", async () => {
    const res = await requestFetch(`${base}chat.postMessage`, {
      method: "POST",
      headers: {
        Authorization: "Bearer xoxb-1",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: "channel=C1&text=hi",
    });
    expect(res.ok).toBe(true);
    expect(res.status).toBe(200);
    expect(res.statusText).toBe("OK");
    expect(res.headers.get("X-OAuth-Scopes")).toBe("chat:write");
    expect(res.headers.get("missing")).toBeNull();
    expect(await res.json()).toEqual({ ok: true, channel: "C1", ts: "1.000100" });
    expect(seen.at(-1)).toEqual({
      method: "POST",
      auth: "Bearer xoxb-1",
      type: "application/x-www-form-urlencoded",
      body: "channel=C1&text=hi",
    });
  });

  it("rejects a redirect, a timeout and a refused connection, as fetch with redirect: error", async () => {
    await expect(
      requestFetch(`${base}moved`, { method: "POST", redirect: "error" }),
    ).rejects.toThrow(/redirect/);
    await expect(
      requestFetch(`${base}slow`, { method: "POST", signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    await expect(requestFetch("http://127.0.0.1:1/api/x", { method: "POST" })).rejects.toThrow();
  });

  it("gives the WebClient the errors delivery classifies: platform, 429, HTTP, request", async () => {
    const client = new WebClient("xoxb-1", {
      slackApiUrl: base,
      fetch: requestFetch,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 100,
    });
    const posted = await client.chat.postMessage({ channel: "C1", text: "hi", blocks: [] });
    expect(posted.ts).toBe("1.000100");
    expect(seen.at(-1)?.body).toContain("blocks=%5B%5D");
    const code = (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e: {
          code?: string;
          retryAfter?: number;
          statusCode?: number;
          data?: { error?: string };
        }) => [e.code, e.retryAfter ?? e.statusCode ?? e.data?.error].join(":"),
      );
    expect(await code(client.apiCall("other"))).toBe(
      `${ErrorCode.PlatformError}:channel_not_found`,
    );
    expect(await code(client.apiCall("limited"))).toBe(`${ErrorCode.RateLimitedError}:7`);
    expect(await code(client.apiCall("broken"))).toBe(`${ErrorCode.HTTPError}:503`);
    expect(await code(client.apiCall("slow"))).toBe(`${ErrorCode.RequestError}:`);
  });
});
