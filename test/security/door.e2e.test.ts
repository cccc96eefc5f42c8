import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedHeaders, slackSignature } from "../../sandbox/slack-emu/sign.ts";
import {
  COMMENT_ACTION,
  COMMENT_BLOCK,
  COMMENT_MODAL_CALLBACK,
} from "../../src/slack/views/approval-view.ts";
import { CHANNEL, CLERK, eventually, subject } from "../slack/helpers/harness.ts";
import { type SecurityHarness, startSecurityHarness } from "./helpers/app.ts";
import { openUpload, type RawRequest, rawRequest } from "./helpers/raw-http.ts";

/**
 * The Slack endpoint tried from the outside as an attacker would (issue 14): every spelling of
 * the path that Bolt's router would read as `/slack/events`, replays under every spelling and
 * signature variant, timestamps outside the window, malformed bodies and slow or oversized
 * uploads. Each must be refused before any handler runs, with no audit entry and no Redis key.
 */
const FORM = "application/x-www-form-urlencoded";

/** Every target Bolt 5.1 routes as the endpoint (WHATWG pathname) or that is near enough. */
const SPELLINGS = [
  "/slack/events#x",
  "/slack/./events",
  "/slack/x/../events",
  "/slack\\events",
  "http://host/slack/events",
  "http://127.0.0.1/slack/events",
  "//slack/events",
  "/./slack/events",
  "/slack/%2e/events",
  "/slack/%2E/events",
  "/slack/x/%2e%2e/events",
  "/slack/x/.%2e/events",
  "/slack/%2e%2e/slack/events",
  "/slack//events",
  "/slack/events/",
  "/slack/events/.",
  "/slack/events?x=1",
  "/slack/events?",
  "/SLACK/events",
  "/slack/Events",
  "/slack/events;x",
  "/slack/events%20",
  "/slack/%65vents",
  "/slack%2Fevents",
  "/slack%5Cevents",
  "/slack/events%23x",
];

let h: SecurityHarness;
let approvalId: string;
let messageTs: string;

beforeAll(async () => {
  h = await startSecurityHarness("door");
  const posted = await h.client.chat.postMessage({ channel: CHANNEL, text: "Invoice A-door" });
  messageTs = String(posted.ts);
  const { approval } = await h.store.create(subject("door-alert"));
  approvalId = approval.id;
  await h.store.attachMessage(approvalId, CHANNEL, messageTs);
});
afterAll(async () => {
  await h?.close();
});

let n = 0;
/** A Comment submission on the approval: a verified one adds an audit entry and a reply. */
function commentBody(): string {
  n += 1;
  const payload = {
    type: "view_submission",
    user: { id: CLERK },
    team: { id: "T0EMU00001" },
    view: {
      id: `V0DOOR${n}`,
      callback_id: COMMENT_MODAL_CALLBACK,
      private_metadata: JSON.stringify({ id: approvalId, channel: CHANNEL, ts: messageTs }),
      state: {
        values: {
          [COMMENT_BLOCK]: { [COMMENT_ACTION]: { type: "plain_text_input", value: `probe ${n}` } },
        },
      },
    },
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

function signed(body: string, skewSeconds = 0, contentType = FORM) {
  const ts = Math.floor(Date.now() / 1000) + skewSeconds;
  const hs = signedHeaders(h.emu.signingSecret, ts, body, contentType);
  return { ts, sig: hs["x-slack-signature"] ?? "", contentType };
}

function req(
  target: string,
  body: string,
  s: { ts: number | string; sig: string | undefined; contentType: string },
  extra: [string, string][] = [],
): RawRequest {
  return {
    target,
    body,
    headers: [
      ["content-type", s.contentType],
      ["x-slack-request-timestamp", String(s.ts)],
      ...(s.sig === undefined ? [] : [["x-slack-signature", s.sig] as [string, string]]),
      ...extra,
    ],
  };
}

const send = (r: RawRequest) => rawRequest(h.port, r);
const keyCount = async () => (await h.redis.keys(`${h.prefix}*`)).length;
const sigKeys = async () => (await h.redis.keys(`${h.prefix}slack-sig:*`)).length;
const commentEntries = () => h.audit.filter((e) => e.type === "approval.commented").length;
const threadReplies = () =>
  h.emu.inspect.allMessages(CHANNEL).filter((m) => m.thread_ts === messageTs && m.ts !== messageTs)
    .length;

describe("unverified requests: refused before any handler, nothing written", () => {
  it("answers 404 to every other spelling of the endpoint, even correctly signed", async () => {
    const keysBefore = await keyCount();
    const answers: Record<string, number> = {};
    for (const target of SPELLINGS) {
      const body = commentBody();
      answers[target] = (await send(req(target, body, signed(body)))).status;
    }
    // A signed `payload=null` through a spelling once crashed the process in Bolt.
    for (const target of ["/slack/./events", "/slack\\events"]) {
      answers[`${target} payload=null`] = (
        await send(req(target, "payload=null", signed("payload=null")))
      ).status;
    }
    // Routes Bolt adds itself when OAuth is configured: never served here.
    for (const target of ["/slack/install", "/slack/oauth_redirect?code=x&state=y"]) {
      answers[`GET ${target}`] = (await send({ method: "GET", target })).status;
    }
    expect(Object.entries(answers).filter(([, status]) => status !== 404)).toEqual([]);
    expect(commentEntries()).toBe(0);
    expect(threadReplies()).toBe(0);
    expect(await keyCount()).toBe(keysBefore);
  });

  it("answers 401 to forged, suffixed, future, stale and malformed signatures", async () => {
    const keysBefore = await keyCount();
    const rejectedBefore = h.slack.stats.rejectedSignatures;
    const probes: Record<string, () => RawRequest> = {
      forged: () => {
        const b = commentBody();
        return req("/slack/events", b, {
          ...signed(b),
          sig: slackSignature("0".repeat(32), Math.floor(Date.now() / 1000), b),
        });
      },
      "suffix =1": () => {
        const b = commentBody();
        const s = signed(b);
        return req("/slack/events", b, { ...s, sig: `${s.sig}=1` });
      },
      "suffix =2": () => {
        const b = commentBody();
        const s = signed(b);
        return req("/slack/events", b, { ...s, sig: `${s.sig}=2` });
      },
      "uppercase hex": () => {
        const b = commentBody();
        const s = signed(b);
        return req("/slack/events", b, { ...s, sig: `v0=${s.sig.slice(3).toUpperCase()}` });
      },
      "v1 scheme": () => {
        const b = commentBody();
        const s = signed(b);
        return req("/slack/events", b, { ...s, sig: `v1=${s.sig.slice(3)}` });
      },
      "signature twice": () => {
        const b = commentBody();
        const s = signed(b);
        return req("/slack/events", b, s, [["x-slack-signature", s.sig]]);
      },
      "no signature": () => {
        const b = commentBody();
        return req("/slack/events", b, { ...signed(b), sig: undefined });
      },
      "15 KB signature": () => {
        const b = commentBody();
        return req("/slack/events", b, { ...signed(b), sig: `v0=${"a".repeat(15_000)}` });
      },
      "future +301 s, signed": () => {
        const b = commentBody();
        return req("/slack/events", b, signed(b, 301));
      },
      "future +50 min, signed": () => {
        const b = commentBody();
        return req("/slack/events", b, signed(b, 3000));
      },
      "stale -301 s, signed": () => {
        const b = commentBody();
        return req("/slack/events", b, signed(b, -301));
      },
      "timestamp 1e9 form": () => {
        const b = commentBody();
        return req("/slack/events", b, { ...signed(b), ts: "1.7e9" });
      },
      "body changed after signing": () => {
        const b = commentBody();
        return req("/slack/events", b.replace("probe", "PROBE"), signed(b));
      },
    };
    const answers: Record<string, number> = {};
    for (const [name, make] of Object.entries(probes)) answers[name] = (await send(make())).status;
    const expected = Object.fromEntries(Object.keys(probes).map((k) => [k, 401]));
    // Node itself refuses a header block past 8 KiB with 431 (the 15 KB signature case).
    expected["15 KB signature"] = 431;
    expect(answers).toEqual(expected);
    expect(h.slack.stats.rejectedSignatures - rejectedBefore).toBe(Object.keys(probes).length - 1);
    expect(commentEntries()).toBe(0);
    expect(await keyCount()).toBe(keysBefore);
    expect(await sigKeys()).toBe(0);
  });

  it("refuses 2,000 forged requests without writing a single Redis key", async () => {
    const keysBefore = await keyCount();
    const b = commentBody();
    const forged = { ...signed(b), sig: `v0=${"f".repeat(64)}` };
    const statuses = new Set<number>();
    for (let i = 0; i < 2000; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(`http://127.0.0.1:${h.port}/slack/events`, {
            method: "POST",
            headers: {
              "content-type": FORM,
              "x-slack-request-timestamp": String(forged.ts),
              "x-slack-signature": forged.sig,
            },
            body: b,
          }).then((r) => r.status),
        ),
      );
      for (const s of batch) statuses.add(s);
    }
    expect([...statuses]).toEqual([401]);
    expect(await keyCount()).toBe(keysBefore);
  });
});

describe("a verified request runs once", () => {
  it("every replay of it, under any spelling or signature variant, is refused", async () => {
    const body = commentBody();
    const s = signed(body);
    const first = await send(req("/slack/events", body, s));
    expect(first.status).toBe(200);
    await eventually(() => commentEntries() === 1);
    await eventually(() => threadReplies() === 1);
    const replays: Record<string, number> = {
      "same bytes": (await send(req("/slack/events", body, s))).status,
      "suffix =1": (await send(req("/slack/events", body, { ...s, sig: `${s.sig}=1` }))).status,
      "suffix =2": (await send(req("/slack/events", body, { ...s, sig: `${s.sig}=2` }))).status,
    };
    for (const target of SPELLINGS) replays[target] = (await send(req(target, body, s))).status;
    const expected: Record<string, number> = Object.fromEntries(
      Object.keys(replays).map((k) => [k, 404]),
    );
    Object.assign(expected, { "same bytes": 401, "suffix =1": 401, "suffix =2": 401 });
    expect(replays).toEqual(expected);
    await new Promise((r) => setTimeout(r, 300));
    expect(commentEntries()).toBe(1);
    expect(threadReplies()).toBe(1);
    // The one replay key is the verified HMAC: 64 hex digits, nothing else from the header.
    const keys = await h.redis.keys(`${h.prefix}slack-sig:*`);
    expect(keys).toEqual([`${h.prefix}slack-sig:${s.sig.slice(3)}`]);
  });
});

describe("signed but malformed payloads: 400 with a reason, the process keeps serving", () => {
  const interaction = (p: unknown) => `payload=${encodeURIComponent(JSON.stringify(p))}`;
  const cases: [string, string, string][] = [
    ["payload=null", "payload=null", FORM],
    [
      "block_actions, actions null",
      interaction({ type: "block_actions", user: { id: CLERK }, actions: null }),
      FORM,
    ],
    [
      "block_actions, actions [null]",
      interaction({ type: "block_actions", user: { id: CLERK }, actions: [null] }),
      FORM,
    ],
    [
      "block_actions, channel null id",
      interaction({
        type: "block_actions",
        user: { id: CLERK },
        actions: [{ action_id: "approval.approve", type: "button", value: "x" }],
        channel: { id: null },
      }),
      FORM,
    ],
    [
      "block_actions, no user",
      interaction({ type: "block_actions", actions: [{ action_id: "x", type: "button" }] }),
      FORM,
    ],
    [
      "view_submission, view null",
      interaction({ type: "view_submission", user: { id: CLERK }, view: null }),
      FORM,
    ],
    [
      "view_submission, state null",
      interaction({
        type: "view_submission",
        user: { id: CLERK },
        view: { id: "V1", callback_id: COMMENT_MODAL_CALLBACK, state: null },
      }),
      FORM,
    ],
    [
      "unknown interaction type",
      interaction({ type: "dialog_submission", user: { id: CLERK } }),
      FORM,
    ],
    ["slash command without command", "text=help&user_id=U1&channel_id=C1", FORM],
    [
      "slash command, user twice",
      "command=%2Finfor&text=help&user_id=U1&user_id=U2&channel_id=C1",
      FORM,
    ],
    [
      "event null",
      JSON.stringify({ type: "event_callback", event_id: "Ev1", event: null }),
      "application/json",
    ],
    [
      "event without id",
      JSON.stringify({ type: "event_callback", event: { type: "app_home_opened" } }),
      "application/json",
    ],
    ["JSON null", "null", "application/json"],
    ["JSON array", "[]", "application/json"],
    [
      "url_verification without challenge",
      JSON.stringify({ type: "url_verification" }),
      "application/json",
    ],
    ["not JSON", "{", "application/json"],
  ];
  it.each(cases)("%s", async (_name, body, contentType) => {
    const res = await send(req("/slack/events", body, signed(body, 0, contentType)));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^invalid request: \S/);
    const alive = await h.emu.platform.slashCommand({
      command: "/infor",
      text: "help",
      userId: CLERK,
      channelId: CHANNEL,
    });
    expect(alive.status).toBe(200);
  });
});

describe("bounds on what an unverified request may hold", () => {
  it("answers 413 to a body past 1 MiB before reading it, and 431 past 64 header lines", async () => {
    const b = commentBody();
    const big = await send({
      ...req("/slack/events", b, signed(b)),
      contentLength: 2 * 1024 * 1024,
    });
    const many: [string, string][] = Array.from({ length: 70 }, (_, i) => [`x-pad-${i}`, "1"]);
    const lines = await send(req("/slack/events", b, signed(b), many));
    expect([big.status, lines.status]).toEqual([413, 431]);
  });

  it("answers Slack's unsigned ssl_check with 200 and writes nothing", async () => {
    const keysBefore = await keyCount();
    const res = await send({
      target: "/slack/events",
      body: "ssl_check=1&token=x",
      headers: [["content-type", FORM]],
    });
    expect(res.status).toBe(200);
    expect(await keyCount()).toBe(keysBefore);
  });

  it("holds at most 8 MiB of unverified bodies at once: later uploads get 503 at once", async () => {
    const sockets: Socket[] = [];
    try {
      const b = commentBody();
      const s = signed(b);
      const statuses: Promise<number>[] = [];
      for (let i = 0; i < 12; i += 1) {
        const sock = openUpload(
          h.port,
          { ...req("/slack/events", b, s), contentLength: 1_000_000 },
          Buffer.from("payload="),
        );
        sockets.push(sock);
        statuses.push(
          new Promise((resolve) => {
            let got = "";
            sock.on("data", (c: Buffer) => {
              got += c.toString("latin1");
              const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
              if (m) resolve(Number(m[1]));
            });
            sock.on("close", () => resolve(0));
          }),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
      const early = await Promise.race([
        Promise.all(statuses.slice(8)),
        new Promise<"late">((r) => setTimeout(() => r("late"), 2000)),
      ]);
      expect(early).toEqual([503, 503, 503, 503]);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  it("closes 20 slow uploads (1 byte every 500 ms) within a few seconds", async () => {
    const started = Date.now();
    const b = commentBody();
    const s = signed(b);
    const closedAfter = await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<number>((resolve) => {
            const sock = openUpload(
              h.port,
              { ...req("/slack/events", b, s), contentLength: b.length },
              Buffer.from(b.slice(0, 1)),
            );
            let i = 1;
            const drip = setInterval(() => {
              if (i < b.length && !sock.destroyed) sock.write(b.slice(i, ++i));
            }, 500);
            const giveUp = setTimeout(() => sock.destroy(), 15_000);
            sock.on("close", () => {
              clearInterval(drip);
              clearTimeout(giveUp);
              resolve(Date.now() - started);
            });
          }),
      ),
    );
    expect(Math.max(...closedAfter)).toBeLessThan(8000);
    expect(commentEntries()).toBeLessThanOrEqual(1);
  }, 20_000);
});
