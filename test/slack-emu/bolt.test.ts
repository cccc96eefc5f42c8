import type { App } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { clientFor, startBoltApp } from "./helpers.ts";

// The real Bolt framework behind the emulator: Bolt checks the signatures the platform actor
// makes, answers through response_url and opens modals with the trigger_id it was given.

let emu: SlackEmu;
let app: App;

beforeAll(async () => {
  emu = await startSlackEmu();
  app = await startBoltApp(emu, (bolt) => {
    bolt.command("/infor", async ({ ack, respond, command }) => {
      await ack();
      await respond({ text: `You asked for ${command.text}` });
    });
    bolt.action("approve", async ({ ack, body, client }) => {
      await ack();
      const b = body as { trigger_id: string };
      await client.views.open({
        trigger_id: b.trigger_id,
        view: {
          type: "modal",
          callback_id: "why",
          title: { type: "plain_text", text: "Approve" },
          blocks: [],
        },
      });
    });
  });
});
afterAll(async () => {
  await app.stop();
  await emu.close();
});

describe("Bolt against the emulator", () => {
  it("accepts a signed slash command and answers through response_url", async () => {
    const r = await emu.platform.slashCommand({
      command: "/infor",
      text: "po 123",
      userId: "U0CLERK001",
      channelId: "C0AP000001",
    });
    expect(r.status).toBe(200);
    await expect
      .poll(() => emu.inspect.ephemerals({ user: "U0CLERK001" }).map((e) => e.text))
      .toEqual(["You asked for po 123"]);
  });

  it("rejects forged and stale requests with 401", async () => {
    const input = { command: "/infor", text: "x", userId: "U0CLERK001", channelId: "C0AP000001" };
    expect((await emu.platform.slashCommand(input, { forgeSignature: true })).status).toBe(401);
    expect((await emu.platform.slashCommand(input, { timestampSkewSeconds: -600 })).status).toBe(
      401,
    );
  });

  it("opens a modal from a button click with the trigger_id", async () => {
    const slack = clientFor(emu);
    const m = await slack.chat.postMessage({
      channel: "C0AP000001",
      text: "Invoice",
      blocks: [
        {
          type: "actions",
          elements: [
            { type: "button", action_id: "approve", text: { type: "plain_text", text: "Approve" } },
          ],
        },
      ],
    });
    const r = await emu.platform.blockAction({
      userId: "U0APPR0001",
      channelId: "C0AP000001",
      messageTs: String(m.ts),
      action: { action_id: "approve" },
    });
    expect(r.status).toBe(200);
    await expect
      .poll(() => emu.inspect.views({ type: "modal", user: "U0APPR0001" }).length)
      .toBe(1);
  });
});
