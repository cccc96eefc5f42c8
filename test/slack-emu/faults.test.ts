import type { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FaultInjector } from "../../sandbox/slack-emu/faults.ts";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { clientFor, errorOf } from "./helpers.ts";

let emu: SlackEmu;
let slack: WebClient;
beforeAll(async () => {
  emu = await startSlackEmu({ timeScale: 1000 });
  slack = clientFor(emu, { timeout: 500 });
});
afterAll(() => emu.close());
beforeEach(() => emu.inspect.reset());

const post = (channel: string, text: string) =>
  slack.chat.postMessage({
    channel,
    text,
    metadata: { event_type: "cs_alert", event_payload: { alert_id: text } },
  });

describe("fault injection", () => {
  it("5xx: the client sees an HTTP error and nothing is stored; only the next N calls fail", async () => {
    emu.control.addFault({ kind: "5xx", next: 2, status: 503, method: "chat.postMessage" });
    for (const text of ["a", "b"]) {
      const err = await errorOf(() => post("C0FINANCE1", text));
      expect(err.code).toBe("slack_webapi_http_error");
      expect(err.statusCode).toBe(503);
    }
    await expect(post("C0FINANCE1", "c")).resolves.toMatchObject({ ok: true });
    expect(emu.inspect.messages("C0FINANCE1").map((m) => m.text)).toEqual(["c"]);
    expect(emu.control.listFaults()).toEqual([]);
  });

  it("latency delays the answer but the call succeeds", async () => {
    emu.control.addFault({ kind: "latency", latencyMs: 150, next: 1 });
    const started = performance.now();
    await expect(slack.auth.test()).resolves.toMatchObject({ ok: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("ambiguous (drop): the message is stored, the client sees a broken connection", async () => {
    emu.control.addFault({ kind: "ambiguous", mode: "drop", channel: "C0FINANCE1", next: 1 });
    const err = await errorOf(() => post("C0FINANCE1", "alert-1"));
    expect(err.code).toBe("slack_webapi_request_error");
    const stored = emu.inspect.messages("C0FINANCE1");
    expect(stored.map((m) => m.metadata?.event_payload.alert_id)).toEqual(["alert-1"]);
    // the outcome can be resolved the way delivery must: by the alert id in recent metadata
    const h = await slack.conversations.history({
      channel: "C0FINANCE1",
      include_all_metadata: true,
      limit: 20,
    });
    expect(
      h.messages?.some(
        (m) =>
          (m.metadata?.event_payload as Record<string, unknown> | undefined)?.alert_id ===
          "alert-1",
      ),
    ).toBe(true);
  });

  it("ambiguous (withhold): the message is stored, no answer comes, the client times out", async () => {
    emu.control.addFault({
      kind: "ambiguous",
      mode: "withhold",
      method: "chat.postMessage",
      next: 1,
    });
    const err = await errorOf(() => post("C0AP000001", "alert-2"));
    expect(err.code).toBe("slack_webapi_request_error");
    expect(emu.inspect.messages("C0AP000001")).toHaveLength(1);
    expect(emu.inspect.requests({ method: "chat.postMessage" }).at(-1)?.fault).toMatch(/withhold$/);
  });

  it("ambiguous (late): the client times out, a look finds nothing, and the post lands after", async () => {
    emu.control.addFault({
      kind: "ambiguous",
      mode: "late",
      lateMs: 900,
      method: "chat.postMessage",
      next: 1,
    });
    const err = await errorOf(() => post("C0AP000001", "alert-3"));
    expect(err.code).toBe("slack_webapi_request_error");
    // The client gave up (500 ms) and the history answers at once: nothing there yet.
    const early = await slack.conversations.history({ channel: "C0AP000001" });
    expect(early.messages).toEqual([]);
    await new Promise((r) => setTimeout(r, 600));
    const late = await slack.conversations.history({
      channel: "C0AP000001",
      include_all_metadata: true,
    });
    expect(late.messages?.map((m) => m.metadata?.event_payload)).toEqual([{ alert_id: "alert-3" }]);
    expect(emu.inspect.requests({ method: "chat.postMessage" }).at(-1)?.fault).toMatch(/late$/);
  });

  it("scopes a fault to one channel", async () => {
    const id = emu.control.addFault({ kind: "5xx", rate: 1, channel: "C0FINANCE1" });
    await expect(post("C0AP000001", "other")).resolves.toMatchObject({ ok: true });
    expect((await errorOf(() => post("C0FINANCE1", "x"))).statusCode).toBe(503);
    expect(emu.control.removeFault(id)).toBe(true);
    await expect(post("C0FINANCE1", "y")).resolves.toMatchObject({ ok: true });
  });

  it("fires at a rate with the injected random source", () => {
    const rolls = [0.1, 0.9, 0.2, 0.8];
    const f = new FaultInjector(() => rolls.shift() ?? 1);
    f.add({ kind: "5xx", rate: 0.5 });
    const fired = [1, 2, 3, 4].map(() => Boolean(f.plan("chat.postMessage", "C1").error));
    expect(fired).toEqual([true, false, true, false]);
  });
});
