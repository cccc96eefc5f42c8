import type { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { clientFor, errorOf } from "./helpers.ts";

// A high time scale keeps rate limits out of the way of these functional tests.
let emu: SlackEmu;
let slack: WebClient;
beforeAll(async () => {
  emu = await startSlackEmu({ timeScale: 1000 });
  slack = clientFor(emu);
});
afterAll(() => emu.close());
beforeEach(() => emu.inspect.reset());

describe("auth", () => {
  it("auth.test names the bot", async () => {
    const r = await slack.auth.test();
    expect(r).toMatchObject({
      ok: true,
      user_id: "U0BOT00001",
      bot_id: "B0EMUBOT01",
      team_id: "T0EMU00001",
    });
  });

  it("rejects a wrong token, a missing token, and a revoked one by name", async () => {
    expect(
      (await errorOf(() => clientFor(emu, { token: "xoxb-wrong" }).auth.test())).data?.error,
    ).toBe("invalid_auth");
    const res = await fetch(`${emu.url}auth.test`, { method: "POST" });
    expect(await res.json()).toEqual({ ok: false, error: "not_authed" });
    emu.control.setTokenState("revoked");
    expect((await errorOf(() => slack.auth.test())).data?.error).toBe("token_revoked");
  });

  it("accepts the token in a form body but not in a JSON body", async () => {
    const form = await fetch(`${emu.url}auth.test`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: emu.botToken }).toString(),
    });
    expect(await form.json()).toMatchObject({ ok: true });
    const json = await fetch(`${emu.url}auth.test`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: emu.botToken }),
    });
    expect(await json.json()).toEqual({ ok: false, error: "not_authed" });
  });
});

describe("posting", () => {
  it("stores a message with blocks and metadata; history shows metadata only on request", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Invoice* 42" } }];
    const metadata = { event_type: "cs_alert", event_payload: { alert_id: "a-1" } };
    const r = await slack.chat.postMessage({
      channel: "C0FINANCE1",
      text: "Invoice 42",
      blocks,
      metadata,
    });
    expect(r.ts).toMatch(/^\d+\.\d{6}$/);
    expect(r.message?.bot_id).toBe("B0EMUBOT01");
    const plain = await slack.conversations.history({ channel: "C0FINANCE1" });
    expect(plain.messages?.[0]?.metadata).toBeUndefined();
    const full = await slack.conversations.history({
      channel: "C0FINANCE1",
      include_all_metadata: true,
    });
    expect(full.messages?.[0]).toMatchObject({ ts: r.ts, text: "Invoice 42", blocks, metadata });
    // Slack generates a block_id for blocks sent without one
    expect(full.messages?.[0]?.blocks?.[0]?.block_id).toMatch(/^[A-Za-z0-9]{5}$/);
  });

  it("accepts a channel name and JSON bodies", async () => {
    const res = await fetch(`${emu.url}chat.postMessage`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${emu.botToken}` },
      body: JSON.stringify({ channel: "#ap-invoices", text: "json body" }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: "C0AP000001" });
  });

  it("posts to a user id as the app's direct message with that user", async () => {
    const r = await slack.chat.postMessage({
      channel: "U0APPR0001",
      text: "3 invoices wait for you",
    });
    expect(r.channel).toBe("D0APPR0001");
    expect(emu.inspect.messages("D0APPR0001").map((m) => m.text)).toEqual([
      "3 invoices wait for you",
    ]);
    const ims = await slack.conversations.list({ types: "im" });
    expect(ims.channels?.map((c) => [c.id, c.is_im, c.user])).toEqual([
      ["D0APPR0001", true, "U0APPR0001"],
    ]);
    expect(
      (await errorOf(() => slack.chat.postMessage({ channel: "U0GONE0001", text: "x" }))).data
        ?.error,
    ).toBe("channel_not_found");
  });

  it("gives unique, increasing ts", async () => {
    const tss: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      tss.push(String((await slack.chat.postMessage({ channel: "C0GENERAL1", text: `m${i}` })).ts));
    }
    expect(new Set(tss).size).toBe(5);
    expect([...tss].sort()).toEqual(tss);
  });

  it("threads replies, counts them and broadcasts when asked", async () => {
    const parent = await slack.chat.postMessage({ channel: "C0FINANCE1", text: "parent" });
    const ts = String(parent.ts);
    await slack.chat.postMessage({ channel: "C0FINANCE1", text: "r1", thread_ts: ts });
    await slack.chat.postMessage({
      channel: "C0FINANCE1",
      text: "r2",
      thread_ts: ts,
      reply_broadcast: true,
    });
    const replies = await slack.conversations.replies({ channel: "C0FINANCE1", ts });
    expect(replies.messages?.map((m) => m.text)).toEqual(["parent", "r1", "r2"]);
    const history = await slack.conversations.history({ channel: "C0FINANCE1" });
    expect(history.messages?.map((m) => m.text)).toEqual(["r2", "parent"]);
    expect(history.messages?.[1]).toMatchObject({ reply_count: 2, thread_ts: ts });
    const view = emu.inspect.messages("C0FINANCE1");
    expect(view[0]?.replies.map((m) => m.text)).toEqual(["r1", "r2"]);
    expect(
      (await errorOf(() => slack.conversations.replies({ channel: "C0FINANCE1", ts: "1.000001" })))
        .data?.error,
    ).toBe("thread_not_found");
  });

  it("edits keep their history", async () => {
    const r = await slack.chat.postMessage({ channel: "C0AP000001", text: "v1" });
    const ts = String(r.ts);
    const u = await slack.chat.update({ channel: "C0AP000001", ts, text: "v2" });
    expect(u).toMatchObject({ ok: true, ts, text: "v2" });
    await slack.chat.update({ channel: "C0AP000001", ts, text: "v3" });
    const m = emu.inspect.message("C0AP000001", ts);
    expect(m?.text).toBe("v3");
    expect(m?.edits.map((e) => e.previous.text)).toEqual(["v1", "v2"]);
    expect(m?.edited?.user).toBe("U0BOT00001");
  });

  it("chat.update keeps the blocks when none are given and drops them on an empty array", async () => {
    // Slack's chat.update reference: "If you don't include this field, the message's previous
    // blocks will be retained. To remove previous blocks, include an empty array."
    const blocks = [
      {
        type: "actions",
        elements: [
          { type: "button", action_id: "approve", text: { type: "plain_text", text: "Approve" } },
        ],
      },
    ];
    const r = await slack.chat.postMessage({ channel: "C0AP000001", text: "v1", blocks });
    const ts = String(r.ts);
    await slack.chat.update({ channel: "C0AP000001", ts, text: "v2" });
    expect(emu.inspect.message("C0AP000001", ts)?.blocks).toHaveLength(1);
    await slack.chat.update({ channel: "C0AP000001", ts, text: "v3", blocks: [] });
    const m = emu.inspect.message("C0AP000001", ts);
    expect(m?.text).toBe("v3");
    expect(m?.blocks ?? []).toEqual([]);
  });

  it("names the errors Slack names", async () => {
    const code = async (f: () => Promise<unknown>) => (await errorOf(f)).data?.error;
    expect(await code(() => slack.chat.postMessage({ channel: "C0NOPE0000", text: "x" }))).toBe(
      "channel_not_found",
    );
    expect(await code(() => slack.chat.postMessage({ channel: "C0NOBOT001", text: "x" }))).toBe(
      "not_in_channel",
    );
    expect(await code(() => slack.chat.postMessage({ channel: "C0PRIVNB01", text: "x" }))).toBe(
      "channel_not_found",
    );
    expect(await code(() => slack.chat.postMessage({ channel: "C0ARCH0001", text: "x" }))).toBe(
      "is_archived",
    );
    expect(
      await code(() => slack.chat.postMessage({ channel: "C0GENERAL1", text: "x".repeat(40_001) })),
    ).toBe("msg_too_long");
    expect(
      await code(() => slack.chat.update({ channel: "C0GENERAL1", ts: "1.000001", text: "x" })),
    ).toBe("message_not_found");
    const human = emu.control.postAsUser({ channel: "C0GENERAL1", user: "U0CLERK001", text: "hi" });
    expect(
      await code(() => slack.chat.update({ channel: "C0GENERAL1", ts: human.ts, text: "x" })),
    ).toBe("cant_update_message");
    expect(await code(() => slack.conversations.history({ channel: "C0NOBOT001" }))).toBe(
      "not_in_channel",
    );
    expect(
      await code(() =>
        slack.apiCall("chat.postMessage", {
          channel: "C0GENERAL1",
          text: "x",
          metadata: { event_type: 1 },
        }),
      ),
    ).toBe("invalid_metadata_format");
  });

  it("posts ephemerals only to channel members and records them per user", async () => {
    const r = await slack.chat.postEphemeral({
      channel: "C0CC100001",
      user: "U0CLERK001",
      text: "only you",
    });
    expect(r.message_ts).toBeDefined();
    expect(emu.inspect.ephemerals({ user: "U0CLERK001" })).toHaveLength(1);
    expect(
      (
        await errorOf(() =>
          slack.chat.postEphemeral({ channel: "C0CC100001", user: "U0CLERK002", text: "x" }),
        )
      ).data?.error,
    ).toBe("user_not_in_channel");
  });

  it("builds permalinks for messages and replies", async () => {
    const p = await slack.chat.postMessage({ channel: "C0GENERAL1", text: "p" });
    const r = await slack.chat.postMessage({
      channel: "C0GENERAL1",
      text: "r",
      thread_ts: String(p.ts),
    });
    const link = await slack.chat.getPermalink({ channel: "C0GENERAL1", message_ts: String(r.ts) });
    expect(link.permalink).toContain(
      `/archives/C0GENERAL1/p${String(r.ts).replace(".", "")}?thread_ts=${p.ts}`,
    );
  });
});

describe("conversations and users", () => {
  it("lists channels with paging, hiding private channels the bot is not in", async () => {
    const first = await slack.conversations.list({
      types: "public_channel,private_channel",
      limit: 4,
    });
    expect(first.channels).toHaveLength(4);
    const cursor = first.response_metadata?.next_cursor;
    expect(cursor).toBeTruthy();
    const rest = await slack.conversations.list({
      types: "public_channel,private_channel",
      limit: 100,
      cursor: String(cursor),
    });
    const ids = [...(first.channels ?? []), ...(rest.channels ?? [])].map((c) => c.id);
    expect(ids).toContain("C0PRIV0001");
    expect(ids).not.toContain("C0PRIVNB01");
    const live = await slack.conversations.list({ exclude_archived: true });
    expect(live.channels?.map((c) => c.id)).not.toContain("C0ARCH0001");
  });

  it("conversations.open gives the bot's DM with a user; posting there and to the user id is one IM", async () => {
    const opened = await slack.conversations.open({ users: "U0CLERK002" });
    const dm = opened.channel?.id ?? "";
    expect(dm).toMatch(/^D/);
    const again = await slack.conversations.open({ users: "U0CLERK002", return_im: true });
    expect(again).toMatchObject({ no_op: true, already_open: true });
    expect(again.channel).toMatchObject({ id: dm, is_im: true, user: "U0CLERK002" });
    const byId = await slack.chat.postMessage({ channel: "U0CLERK002", text: "card" });
    expect(byId.channel).toBe(dm);
    const inIm = await slack.chat.postMessage({ channel: dm, text: "second" });
    expect(inIm.channel).toBe(dm);
    await slack.chat.update({ channel: dm, ts: byId.ts ?? "", text: "card, decided" });
    expect(emu.inspect.messages(dm).map((m) => m.text)).toEqual(["card, decided", "second"]);
    // Only chat.postMessage takes the user id: chat.update wants the DM id ("starts with D"),
    // history and replies a conversation id.
    const ts = byId.ts ?? "";
    for (const call of [
      () => slack.chat.update({ channel: "U0CLERK002", ts, text: "nope" }),
      () => slack.conversations.history({ channel: "U0CLERK002" }),
      () => slack.conversations.replies({ channel: "U0CLERK002", ts }),
    ]) {
      expect((await errorOf(call)).data?.error).toBe("channel_not_found");
    }
    expect((await slack.conversations.history({ channel: dm })).messages).toHaveLength(2);
    expect((await errorOf(() => slack.conversations.open({} as never))).data?.error).toBe(
      "users_list_not_supplied",
    );
    expect(
      (await errorOf(() => slack.conversations.open({ users: "U0NOBODY01" }))).data?.error,
    ).toBe("user_not_found");
    expect(
      (await errorOf(() => slack.conversations.open({ users: "U0GONE0001" }))).data?.error,
    ).toBe("user_disabled");
    expect(
      (await errorOf(() => slack.conversations.open({ users: "U0BOT00001" }))).data?.error,
    ).toBe("cannot_dm_bot");
    expect(
      (await errorOf(() => slack.conversations.open({ channel: "C0CC100001" }))).data?.error,
    ).toBe("channel_not_found");
  });

  it("joins a public channel and then can post there", async () => {
    const info = await slack.conversations.info({ channel: "C0NOBOT001" });
    expect(info.channel?.is_member).toBe(false);
    await slack.conversations.join({ channel: "C0NOBOT001" });
    await expect(
      slack.chat.postMessage({ channel: "C0NOBOT001", text: "joined" }),
    ).resolves.toMatchObject({ ok: true });
    expect(
      (await errorOf(() => slack.conversations.join({ channel: "C0ARCH0001" }))).data?.error,
    ).toBe("is_archived");
  });

  it("pages history with limit, cursor, oldest and latest", async () => {
    const tss: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      tss.push(String((await slack.chat.postMessage({ channel: "C0CC200001", text: `h${i}` })).ts));
    }
    const p1 = await slack.conversations.history({ channel: "C0CC200001", limit: 2 });
    expect(p1.messages?.map((m) => m.text)).toEqual(["h4", "h3"]);
    expect(p1.has_more).toBe(true);
    const p2 = await slack.conversations.history({
      channel: "C0CC200001",
      limit: 2,
      cursor: String(p1.response_metadata?.next_cursor),
    });
    expect(p2.messages?.map((m) => m.text)).toEqual(["h2", "h1"]);
    const range = await slack.conversations.history({
      channel: "C0CC200001",
      oldest: String(tss[1]),
      latest: String(tss[4]),
    });
    expect(range.messages?.map((m) => m.text)).toEqual(["h3", "h2"]);
  });

  it("answers users.info and usergroups.users.list", async () => {
    const u = await slack.users.info({ user: "U0ADMIN001" });
    expect(u.user).toMatchObject({ id: "U0ADMIN001", is_admin: true });
    const g = await slack.usergroups.users.list({ usergroup: "S0APPROVER" });
    expect(g.users).toEqual(["U0APPR0001", "U0APPR0002"]);
    expect((await errorOf(() => slack.users.info({ user: "U0NOBODY00" }))).data?.error).toBe(
      "user_not_found",
    );
  });
});
