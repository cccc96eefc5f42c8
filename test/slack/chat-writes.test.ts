import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { chatWrites } from "../../src/slack/destination/chat-writes.ts";
import { createSlackClient } from "../../src/slack/destination/client.ts";
import { classify } from "../../src/slack/destination/errors.ts";
import { startLoopbackServer } from "../support/loopback-server.ts";

const TOKEN = "xoxb-secret-0123456789";
let server: Awaited<ReturnType<typeof startLoopbackServer>>;
let base = "";
const seen: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] =
  [];

/** Each path answers as one of Slack's outcomes (the method name is the path's last part). */
beforeAll(async () => {
  server = await startLoopbackServer((req, res, body) => {
    seen.push({
      ...(req.method ? { method: req.method } : {}),
      ...(req.url ? { url: req.url } : {}),
      headers: req.headers,
      body,
    });
    const json = (status: number, v: unknown, h: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...h });
      res.end(JSON.stringify(v));
    };
    const path = req.url ?? "";
    if (path.startsWith("/ok/")) json(200, { ok: true, channel: "C1", ts: "1.000100" });
    else if (path.startsWith("/error/")) json(200, { ok: false, error: "channel_not_found" });
    else if (path.startsWith("/internal/")) json(200, { ok: false, error: "internal_error" });
    else if (path.startsWith("/limited/"))
      json(429, { ok: false, error: "ratelimited" }, { "retry-after": "7" });
    else if (path.startsWith("/limited-bare/")) json(429, { ok: false, error: "ratelimited" });
    else if (path.startsWith("/limited-date/"))
      json(429, { ok: false }, { "retry-after": "Wed, 21 Oct 2026 07:28:00 GMT" });
    else if (path.startsWith("/null/")) json(200, null);
    else if (path.startsWith("/number/")) json(200, 5);
    else if (path.startsWith("/500/")) json(500, { ok: false, error: "x" });
    else if (path.startsWith("/502/")) {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>bad gateway</html>");
    } else if (path.startsWith("/504/")) {
      res.writeHead(504);
      res.end();
    } else if (path.startsWith("/html/")) {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>maintenance</html>");
    } else if (path.startsWith("/moved/")) {
      res.writeHead(302, { location: "/ok/" });
      res.end();
    } else if (path.startsWith("/reset/")) req.socket.destroy();
    // /slow/: never answers; the client's timeout ends the call.
  });
  base = server.base;
});
afterAll(() => server.close());

const writesAt = (path: string, timeoutMs = 2000) =>
  chatWrites({ token: TOKEN, slackApiUrl: `${base}/${path}`, timeoutMs });
const post = { channel: "C1", text: "hi", blocks: [] };

/** The outcome delivery makes of the call's failure, and the failure itself. */
async function failure(p: Promise<unknown>) {
  const err = await p.then(
    () => expect.unreachable("the call should have failed"),
    (e: unknown) => e,
  );
  return { outcome: classify(err), err };
}

describe("chatWrites (posts and edits on undici, without the WebClient)", () => {
  it("sends the WebClient's form: POST, Bearer token, form-encoded body, objects as JSON", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*x*" } }];
    const metadata = { event_type: "cloudsuite_alert", event_payload: { alert_id: "a1" } };
    const r = await writesAt("ok/").postMessage({
      channel: "C1",
      text: "hi",
      blocks,
      metadata,
      thread_ts: "1.0001",
    });
    expect(r.ts).toBe("1.000100");
    const req = seen.at(-1);
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/ok/chat.postMessage");
    expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const form = Object.fromEntries(new URLSearchParams(req?.body ?? ""));
    expect(form).toEqual({
      channel: "C1",
      text: "hi",
      blocks: JSON.stringify(blocks),
      metadata: JSON.stringify(metadata),
      thread_ts: "1.0001",
    });
    expect(req?.body).not.toContain(TOKEN);
    await writesAt("ok").update({ channel: "C1", ts: "1.000100", text: "edited" });
    expect(seen.at(-1)?.url).toBe("/ok/chat.update");
  });

  it.each([
    ["ok: false by Slack's error", "error/", { kind: "fatal", reason: "channel_not_found" }],
    ["ok: false, a passing one", "internal/", { kind: "transient", reason: "internal_error" }],
    ["a 200 that is not JSON", "html/", { kind: "transient", reason: "<html>maintenance</html>" }],
    ["429 with Retry-After", "limited/", { kind: "rate_limited", retryAfterMs: 7000 }],
    // The WebClient throws a bare Error for these (see the comparison below): ambiguous.
    ["429 without Retry-After", "limited-bare/", { kind: "ambiguous", reason: "unexpected_error" }],
    ["429, Retry-After a date", "limited-date/", { kind: "ambiguous", reason: "unexpected_error" }],
    ["a 200 of JSON null", "null/", { kind: "ambiguous", reason: "unexpected_error" }],
    ["a 200 of a JSON number", "number/", { kind: "ambiguous", reason: "unexpected_error" }],
    ["500: the server answered", "500/", { kind: "ambiguous", reason: "http_500", answered: true }],
    ["502: a gateway gave up", "502/", { kind: "ambiguous", reason: "http_502" }],
    ["504: a gateway gave up", "504/", { kind: "ambiguous", reason: "http_504" }],
    ["a redirect", "moved/", { kind: "ambiguous", reason: "request_error" }],
    ["a reset after sending", "reset/", { kind: "ambiguous", reason: "request_error" }],
  ])("%s", async (_name, path, expected) => {
    const { outcome } = await failure(writesAt(path).postMessage(post));
    expect(outcome).toEqual(expected);
  });

  it.each([
    "ok/",
    "error/",
    "internal/",
    "html/",
    "limited/",
    "limited-bare/",
    "limited-date/",
    "null/",
    "number/",
    "500/",
    "502/",
    "504/",
    "moved/",
    "reset/",
  ])("decides %s as the WebClient delivery used before", async (path) => {
    const web = createSlackClient({ token: TOKEN, slackApiUrl: `${base}/${path}` }, 2000);
    const outcomeOf = (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e: unknown) => classify(e),
      );
    const [lean, sdk] = await Promise.all([
      outcomeOf(writesAt(path).postMessage(post)),
      outcomeOf(web.chat.postMessage(post)),
    ]);
    expect(lean).toEqual(sdk);
  });

  it("times out as the WebClient's `timeout`: the whole call, ambiguous", async () => {
    const started = Date.now();
    const { outcome } = await failure(
      writesAt("slow/", 150).update({ channel: "C1", ts: "1.0", text: "x" }),
    );
    expect(outcome).toEqual({ kind: "ambiguous", reason: "request_error" });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("a refused connection is a request error: ambiguous", async () => {
    const refused = chatWrites({
      token: TOKEN,
      slackApiUrl: "http://127.0.0.1:1/api/",
      timeoutMs: 0,
    });
    const { outcome } = await failure(refused.postMessage(post));
    expect(outcome).toEqual({ kind: "ambiguous", reason: "request_error" });
  });

  it("never puts the token in an error, its message, stack or cause", async () => {
    const paths = ["error/", "html/", "limited/", "500/", "502/", "moved/", "reset/"];
    const errors = await Promise.all(
      paths.map(async (p) => (await failure(writesAt(p).postMessage(post))).err),
    );
    errors.push((await failure(writesAt("slow/", 50).postMessage(post))).err);
    for (const err of errors) {
      const seenAs = inspect(err, { depth: 10, showHidden: true });
      expect(seenAs).not.toContain(TOKEN);
      expect(JSON.stringify(err)).not.toContain(TOKEN);
    }
  });
});

describe("chatWrites against the Slack emulator", () => {
  let emu: SlackEmu;
  beforeAll(async () => {
    emu = await startSlackEmu({ timeScale: 1000 });
  });
  afterAll(() => emu.close());

  it("posts blocks and metadata, threads a reply, edits, and answers Slack's errors", async () => {
    const w = chatWrites({ token: emu.botToken, slackApiUrl: emu.url, timeoutMs: 2000 });
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Invoice 42*" } }];
    const metadata = { event_type: "cloudsuite_alert", event_payload: { alert_id: "a1" } };
    const channel = "C0AP000001";
    const { ts } = await w.postMessage({ channel, text: "Invoice 42", blocks, metadata });
    const reply = await w.postMessage({ channel, text: "note", thread_ts: String(ts) });
    await w.update({ channel, ts: String(ts), text: "Invoice 42, paid", blocks, metadata });
    const [first] = emu.inspect.messages(channel);
    expect(first).toMatchObject({ ts, text: "Invoice 42, paid", metadata, reply_count: 1 });
    expect(first?.blocks?.[0]).toMatchObject(blocks[0] ?? {});
    expect(reply.ts).not.toBe(ts);

    const bad = await failure(w.postMessage({ channel, text: "x", blocks: [{ type: "nope" }] }));
    expect(bad.outcome).toEqual({ kind: "fatal", reason: "invalid_blocks" });
    const wrong = chatWrites({ token: "xoxb-wrong", slackApiUrl: emu.url, timeoutMs: 2000 });
    expect((await failure(wrong.postMessage({ channel, text: "x" }))).outcome).toEqual({
      kind: "fatal",
      reason: "invalid_auth",
    });
  });
});
