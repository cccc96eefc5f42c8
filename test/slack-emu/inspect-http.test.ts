import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import type { EmuEvent } from "../../sandbox/slack-emu/types.ts";
import { clientFor } from "./helpers.ts";

let emu: SlackEmu;
beforeAll(async () => {
  emu = await startSlackEmu({ timeScale: 1000 });
});
afterAll(() => emu.close());

const get = async (path: string) => (await fetch(`${emu.origin}/_emu/${path}`)).json();
const post = async (path: string, body: unknown = {}) =>
  fetch(`${emu.origin}/_emu/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** Reads server-sent events until `count` arrived. */
async function readEvents(count: number, trigger: () => Promise<void>): Promise<EmuEvent[]> {
  const ac = new AbortController();
  const res = await fetch(`${emu.origin}/_emu/events`, { signal: ac.signal });
  expect(res.headers.get("content-type")).toBe("text/event-stream");
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: EmuEvent[] = [];
  let buffer = "";
  const triggered = trigger();
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const data = buffer
        .slice(0, end)
        .split("\n")
        .find((l) => l.startsWith("data: "));
      if (data) events.push(JSON.parse(data.slice(6)) as EmuEvent);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
    }
  }
  await triggered;
  ac.abort();
  return events;
}

describe("inspection over HTTP", () => {
  it("serves workspace, channels, messages with threads and edits, 429 counts and the request log", async () => {
    await post("reset");
    const slack = clientFor(emu);
    const p = await slack.chat.postMessage({ channel: "C0FINANCE1", text: "parent" });
    await slack.chat.postMessage({ channel: "C0FINANCE1", text: "reply", thread_ts: String(p.ts) });
    await slack.chat.update({ channel: "C0FINANCE1", ts: String(p.ts), text: "parent v2" });
    const ws = (await get("workspace")) as { users: Array<{ id: string }> };
    expect(ws.users.map((u) => u.id)).toContain("U0APPR0001");
    const channels = (await get("channels")) as Array<{ id: string; is_archived: boolean }>;
    expect(channels.find((c) => c.id === "C0ARCH0001")?.is_archived).toBe(true);
    const msgs = (await get("channels/C0FINANCE1/messages")) as Array<{
      replies: Array<{ text: string }>;
    }>;
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ text: "parent v2", edits: [{ previous: { text: "parent" } }] });
    expect(msgs[0]?.replies.map((r) => r.text)).toEqual(["reply"]);
    expect(await get("ratelimited")).toEqual({ total: 0, byMethod: {}, byChannel: {} });
    const log = await get("requests?method=chat.update");
    expect(log).toHaveLength(1);
    expect(JSON.stringify(await get("requests"))).not.toContain(emu.botToken);
  });

  it("streams new messages and edits as server-sent events", async () => {
    const slack = clientFor(emu);
    const events = await readEvents(2, async () => {
      const r = await slack.chat.postMessage({ channel: "C0AP000001", text: "live" });
      await slack.chat.update({ channel: "C0AP000001", ts: String(r.ts), text: "live v2" });
    });
    expect(events.map((e) => e.type)).toEqual(["message", "message_changed"]);
  });

  it("drives control and platform actions over HTTP", async () => {
    const fault = await post("control/addFault", { kind: "5xx", next: 1, method: "auth.test" });
    expect(await fault.json()).toMatchObject({ ok: true, result: "fault-1" });
    expect(await get("faults")).toHaveLength(1);
    const human = await post("control/postAsUser", {
      channel: "C0GENERAL1",
      user: "U0CLERK001",
      text: "hello",
    });
    expect(((await human.json()) as { result: unknown }).result).toMatchObject({
      user: "U0CLERK001",
      text: "hello",
    });
    const bad = await post("control/postAsUser", {
      channel: "C0NOPE",
      user: "U0CLERK001",
      text: "x",
    });
    expect(await bad.json()).toEqual({ ok: false, error: "channel_not_found" });
    // no app request URL is set: the platform action names that
    const cmd = await post("platform/command", {
      command: "/infor",
      userId: "U0CLERK001",
      channelId: "C0GENERAL1",
    });
    expect(await cmd.json()).toEqual({ ok: false, error: "no_request_url" });
    await post("reset");
    expect(await get("faults")).toEqual([]);
    expect(await get("channels/C0GENERAL1/messages")).toEqual([]);
  });
});
