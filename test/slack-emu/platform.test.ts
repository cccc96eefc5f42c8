import { createHmac, timingSafeEqual } from "node:crypto";
import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { type Captured, clientFor, type FakeApp, startFakeApp } from "./helpers.ts";

// Verified here independently of the emulator's signing code, the way Slack documents it.
function verify(secret: string, req: Captured, nowSec: number): "ok" | "bad_signature" | "stale" {
  const ts = Number(req.headers["x-slack-request-timestamp"]);
  if (Math.abs(nowSec - ts) > 300) return "stale";
  const expected = `v0=${createHmac("sha256", secret).update(`v0:${ts}:${req.body}`).digest("hex")}`;
  const got = String(req.headers["x-slack-signature"]);
  const ok =
    got.length === expected.length && timingSafeEqual(Buffer.from(got), Buffer.from(expected));
  return ok ? "ok" : "bad_signature";
}

const payloadOf = (r: Captured) => JSON.parse(String(new URLSearchParams(r.body).get("payload")));

let emu: SlackEmu | undefined;
let app: FakeApp | undefined;
afterEach(async () => {
  await emu?.close();
  await app?.close();
  emu = undefined;
  app = undefined;
});

async function setup(
  reply?: (req: Captured, res: ServerResponse) => void,
  opts: { nowMs?: () => number; timeScale?: number } = {},
) {
  app = await startFakeApp(reply);
  emu = await startSlackEmu({
    appRequestUrl: app.url,
    timeScale: opts.timeScale ?? 1,
    ...(opts.nowMs ? { nowMs: opts.nowMs } : {}),
  });
  return { emu, app, slack: clientFor(emu) };
}

const approveBlocks = [
  { type: "section", text: { type: "mrkdwn", text: "Invoice 42" } },
  {
    type: "actions",
    block_id: "inv-42",
    elements: [
      {
        type: "button",
        action_id: "approve",
        text: { type: "plain_text", text: "Approve" },
        value: "inv:42",
        style: "primary",
      },
    ],
  },
];

describe("signed requests", () => {
  it("sends a slash command form-encoded, signed with v0 HMAC-SHA256, and returns the app's answer", async () => {
    const { emu, app } = await setup((_r, res) => {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ text: "working" }));
    });
    const r = await emu.platform.slashCommand({
      command: "/infor",
      text: "po 123",
      userId: "U0CLERK001",
      channelId: "C0AP000001",
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ text: "working" });
    const req = app.requests[0] as Captured;
    expect(req.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(verify(emu.signingSecret, req, Math.floor(Date.now() / 1000))).toBe("ok");
    const form = Object.fromEntries(new URLSearchParams(req.body));
    expect(form).toMatchObject({
      command: "/infor",
      text: "po 123",
      user_id: "U0CLERK001",
      channel_id: "C0AP000001",
      team_id: "T0EMU00001",
      api_app_id: "A0EMUAPP01",
      response_url: r.responseUrl,
      trigger_id: r.triggerId,
    });
  });

  it("shows a slash command's ack body as Slack does: ephemeral by default, in_channel on request, nothing when empty", async () => {
    const answers = [
      { type: "application/json", body: JSON.stringify({ text: "Usage: /infor po <number>" }) },
      { type: "text/plain", body: "plain help" },
      {
        type: "application/json",
        body: JSON.stringify({ response_type: "in_channel", text: "for all" }),
      },
      { type: "text/plain", body: "" },
    ];
    let n = 0;
    const { emu } = await setup((_r, res) => {
      const a = answers[n++] as { type: string; body: string };
      res.writeHead(200, { "content-type": a.type }).end(a.body);
    });
    const input = { command: "/infor", text: "", userId: "U0CLERK001", channelId: "C0AP000001" };
    const shown = [];
    for (let i = 0; i < answers.length; i++)
      shown.push((await emu.platform.slashCommand(input)).shown);
    expect(shown).toEqual(["ephemeral", "ephemeral", "in_channel", undefined]);
    const eph = emu.inspect.ephemerals({ channel: "C0AP000001", user: "U0CLERK001" });
    expect(eph.map((e) => [e.text, e.via])).toEqual([
      ["Usage: /infor po <number>", "ack"],
      ["plain help", "ack"],
    ]);
    expect(emu.inspect.ephemerals({ user: "U0CLERK002" })).toEqual([]);
    expect(emu.inspect.messages("C0AP000001").map((m) => m.text)).toEqual(["for all"]);
  });

  it("forges, stales and replays on request", async () => {
    const { emu, app } = await setup();
    const now = () => Math.floor(Date.now() / 1000);
    const input = {
      command: "/infor",
      text: "help",
      userId: "U0CLERK001",
      channelId: "C0AP000001",
    };
    await emu.platform.slashCommand(input, { forgeSignature: true });
    await emu.platform.slashCommand(input, { timestampSkewSeconds: -600 });
    const good = await emu.platform.slashCommand(input);
    await emu.platform.replay(good.request);
    const [forged, stale, original, replayed] = app.requests as [
      Captured,
      Captured,
      Captured,
      Captured,
    ];
    expect(verify(emu.signingSecret, forged, now())).toBe("bad_signature");
    expect(verify(emu.signingSecret, stale, now())).toBe("stale");
    expect(replayed.body).toBe(original.body);
    expect(replayed.headers["x-slack-signature"]).toBe(original.headers["x-slack-signature"]);
    expect(replayed.headers["x-slack-request-timestamp"]).toBe(
      original.headers["x-slack-request-timestamp"],
    );
  });

  it("reports a timeout when the app does not ack in time", async () => {
    const { emu } = await setup(() => {
      /* never answers */
    });
    const r = await emu.platform.slashCommand(
      { command: "/infor", userId: "U0CLERK001", channelId: "C0AP000001" },
      { timeoutMs: 100 },
    );
    expect(r).toMatchObject({ status: 0, timedOut: true });
  });
});

describe("block actions and response_url", () => {
  it("sends the full block_actions payload for a button in a stored message", async () => {
    const { emu, app, slack } = await setup();
    const m = await slack.chat.postMessage({
      channel: "C0AP000001",
      text: "Invoice 42",
      blocks: approveBlocks,
    });
    const r = await emu.platform.blockAction({
      userId: "U0APPR0001",
      channelId: "C0AP000001",
      messageTs: String(m.ts),
      action: { action_id: "approve" },
    });
    const p = payloadOf(app.requests[0] as Captured);
    expect(p).toMatchObject({
      type: "block_actions",
      user: { id: "U0APPR0001", team_id: "T0EMU00001" },
      team: { id: "T0EMU00001" },
      api_app_id: "A0EMUAPP01",
      container: {
        type: "message",
        message_ts: m.ts,
        channel_id: "C0AP000001",
        is_ephemeral: false,
      },
      channel: { id: "C0AP000001", name: "ap-invoices" },
      message: { ts: m.ts, text: "Invoice 42" },
      response_url: r.responseUrl,
      trigger_id: r.triggerId,
    });
    expect(p.actions).toEqual([
      expect.objectContaining({
        action_id: "approve",
        block_id: "inv-42",
        value: "inv:42",
        type: "button",
        style: "primary",
      }),
    ]);
    expect(
      verify(emu.signingSecret, app.requests[0] as Captured, Math.floor(Date.now() / 1000)),
    ).toBe("ok");
  });

  it("response_url: replace_original edits the source message, delete_original removes it, 5 uses at most", async () => {
    const { emu, slack } = await setup();
    const m = await slack.chat.postMessage({
      channel: "C0AP000001",
      text: "Invoice 42",
      blocks: approveBlocks,
    });
    const ts = String(m.ts);
    const r = await emu.platform.blockAction({
      userId: "U0APPR0001",
      channelId: "C0AP000001",
      messageTs: ts,
      action: { action_id: "approve" },
    });
    const send = (body: unknown) =>
      fetch(String(r.responseUrl), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await send({ replace_original: true, text: "Approved by Anna" })).status).toBe(200);
    const edited = emu.inspect.message("C0AP000001", ts);
    expect(edited?.text).toBe("Approved by Anna");
    expect(edited?.blocks).toBeUndefined();
    expect(edited?.edits[0]?.previous.text).toBe("Invoice 42");
    expect((await send({ text: "only you" })).status).toBe(200);
    expect(emu.inspect.ephemerals({ user: "U0APPR0001" }).map((e) => e.text)).toEqual(["only you"]);
    expect((await send({ response_type: "in_channel", text: "for all" })).status).toBe(200);
    expect((await send({ delete_original: true })).status).toBe(200);
    expect(emu.inspect.message("C0AP000001", ts)?.deleted).toBe(true);
    const h = await slack.conversations.history({ channel: "C0AP000001" });
    expect(h.messages?.map((x) => x.text)).toEqual(["for all"]);
    expect((await send({ text: "fifth" })).status).toBe(200);
    const sixth = await send({ text: "sixth" });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toEqual({ ok: false, error: "used_url" });
    expect(emu.inspect.responseUrlPosts().map((p) => p.effect)).toEqual([
      "replace_original",
      "ephemeral",
      "in_channel",
      "delete_original",
      "ephemeral",
      "rejected",
    ]);
  });

  it("response_url expires after 30 minutes (scaled) and trigger_id after 3 seconds (scaled), once", async () => {
    let now = 1_800_000_000_000;
    const { emu, slack } = await setup(undefined, { nowMs: () => now, timeScale: 10 });
    const r = await emu.platform.slashCommand({
      command: "/infor",
      userId: "U0CLERK001",
      channelId: "C0AP000001",
    });
    const modal = {
      type: "modal" as const,
      title: { type: "plain_text" as const, text: "Reject" },
      blocks: [],
    };
    const first = await slack.views.open({ trigger_id: String(r.triggerId), view: modal });
    expect(first.view?.id).toMatch(/^V/);
    await expect(
      slack.views.open({ trigger_id: String(r.triggerId), view: modal }),
    ).rejects.toMatchObject({
      data: { error: "exchanged_trigger_id" },
    });
    const late = emu.platform.issueTriggerId("U0CLERK001");
    now += 301; // 3 s at time scale 10 is 300 ms
    await expect(slack.views.open({ trigger_id: late, view: modal })).rejects.toMatchObject({
      data: { error: "expired_trigger_id" },
    });
    now += 180_000; // 30 min at time scale 10 is 180 s
    const res = await fetch(String(r.responseUrl), {
      method: "POST",
      body: JSON.stringify({ text: "late" }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: "expired_url" });
  });
});

describe("views and events", () => {
  it("view_submission carries state.values; an empty ack closes the modal, errors keep it open", async () => {
    let answer = JSON.stringify({ response_action: "errors", errors: { reason: "Required" } });
    const { emu, app, slack } = await setup((_r, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(answer);
    });
    const r = await emu.platform.slashCommand({
      command: "/infor",
      userId: "U0APPR0001",
      channelId: "C0AP000001",
    });
    const opened = await slack.views.open({
      trigger_id: String(r.triggerId),
      view: {
        type: "modal",
        callback_id: "reject",
        title: { type: "plain_text", text: "Reject" },
        submit: { type: "plain_text", text: "Reject" },
        blocks: [
          {
            type: "input",
            block_id: "reason",
            label: { type: "plain_text", text: "Why" },
            element: { type: "plain_text_input", action_id: "text" },
          },
        ],
      },
    });
    const viewId = String(opened.view?.id);
    const values = { reason: { text: { type: "plain_text_input", value: "wrong price" } } };
    await emu.platform.viewSubmission({ userId: "U0APPR0001", viewId, values });
    const p = payloadOf(app.requests[1] as Captured);
    expect(p).toMatchObject({
      type: "view_submission",
      user: { id: "U0APPR0001" },
      view: { id: viewId, callback_id: "reject", state: { values } },
    });
    expect(emu.inspect.views({ type: "modal" })[0]?.closed).toBeUndefined();
    answer = "";
    await emu.platform.viewSubmission({ userId: "U0APPR0001", viewId, values });
    expect(emu.inspect.views({ type: "modal" })[0]?.closed).toBe(true);
  });

  it("retries an unacknowledged event with X-Slack-Retry-Num and the same event_id", async () => {
    let calls = 0;
    const { emu, app } = await setup((_r, res) => {
      calls += 1;
      res.writeHead(calls < 3 ? 500 : 200).end();
    });
    const r = await emu.platform.event(
      { type: "app_mention", text: "hi" },
      { retries: true, retryDelaysMs: [5, 5, 5] },
    );
    expect(r.status).toBe(200);
    expect(r.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    const headers = app.requests.map((q) => [
      q.headers["x-slack-retry-num"],
      q.headers["x-slack-retry-reason"],
    ]);
    expect(headers).toEqual([
      [undefined, undefined],
      ["1", "http_error"],
      ["2", "http_error"],
    ]);
    const ids = app.requests.map((q) => JSON.parse(q.body).event_id);
    expect(new Set(ids)).toEqual(new Set([r.eventId]));
    expect(JSON.parse((app.requests[0] as Captured).body)).toMatchObject({
      type: "event_callback",
      team_id: "T0EMU00001",
    });
    expect(emu.inspect.platformRequests().map((e) => [e.kind, e.status, e.retryNum])).toEqual([
      ["event app_mention", 500, undefined],
      ["event app_mention", 500, "1"],
      ["event app_mention", 200, "2"],
    ]);
  });

  it("stops an event's pending retries when the emulator closes", async () => {
    const started = await setup((_r, res) => {
      res.writeHead(500).end();
    });
    const pending = started.emu.platform.event(
      { type: "app_mention", text: "hi" },
      { retries: true, retryDelaysMs: [5, 60_000, 60_000] },
    );
    await expect.poll(() => started.app.requests.length).toBe(2);
    await started.emu.close();
    emu = undefined;
    // Without the cancel this waits out the 60 s retry delay (and then posts to a closed app).
    const outcome = await Promise.race([
      pending.then((r) => r.attempts.length),
      new Promise<string>((r) => setTimeout(() => r("still waiting"), 5_000)),
    ]);
    expect(outcome).toBe(2);
    expect(started.app.requests).toHaveLength(2);
  });

  it("sends app_home_opened and records the published Home per user", async () => {
    const { emu, app, slack } = await setup();
    await emu.platform.appHomeOpened("U0APPR0001");
    expect(JSON.parse((app.requests[0] as Captured).body).event).toMatchObject({
      type: "app_home_opened",
      user: "U0APPR0001",
      tab: "home",
    });
    await slack.views.publish({
      user_id: "U0APPR0001",
      view: {
        type: "home",
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "3 to approve" } }],
      },
    });
    expect(emu.inspect.home("U0APPR0001")?.blocks).toHaveLength(1);
    expect(emu.inspect.home("U0APPR0002")).toBeUndefined();
  });
});
