import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlatformResult, SendOptions } from "../../sandbox/slack-emu/platform.ts";
import {
  REJECT_MODAL_CALLBACK,
  REJECT_REASON_ACTION,
  REJECT_REASON_BLOCK,
} from "../../src/slack/views/approval-view.ts";
import { type SecurityHarness, startSecurityHarness } from "./helpers/app.ts";

/**
 * Slack signs every request (X-Slack-Signature, HMAC-SHA256 over `v0:{ts}:{body}`) and tells apps
 * to refuse a timestamp more than five minutes from now, in either direction, to stop replays
 * (docs.slack.dev/authentication/verifying-requests-from-slack). Each kind of request the app
 * handles is sent forged, stale, from the future and replayed: 401 each, and each one counted.
 */
let h: SecurityHarness;
let messageTs: string;
let viewId: string;

beforeAll(async () => {
  h = await startSecurityHarness("security-sig");
  const posted = await h.client.chat.postMessage({
    channel: "C0AP000001",
    text: "link",
    blocks: [
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: "open.erp",
            text: { type: "plain_text", text: "Open" },
            url: "https://example.com",
          },
        ],
      },
    ],
  });
  messageTs = posted.ts ?? "";
  const opened = await h.client.views.open({
    trigger_id: h.emu.platform.issueTriggerId("U0CLERK001"),
    view: {
      type: "modal",
      // The reject modal's callback: the app acks it at once (here with "no longer exists").
      callback_id: REJECT_MODAL_CALLBACK,
      title: { type: "plain_text", text: "Test" },
      submit: { type: "plain_text", text: "OK" },
      blocks: [
        {
          type: "input",
          block_id: REJECT_REASON_BLOCK,
          element: { type: "plain_text_input", action_id: REJECT_REASON_ACTION },
          label: { type: "plain_text", text: "Why" },
        },
      ],
    },
  });
  viewId = opened.view?.id ?? "";
});
afterAll(async () => {
  await h?.close();
});

type Send = (o?: SendOptions) => Promise<PlatformResult>;

const kinds: Record<string, () => Send> = {
  "slash command": () => (o) =>
    h.emu.platform.slashCommand(
      { command: "/infor", text: "help", userId: "U0CLERK001", channelId: "C0AP000001" },
      o,
    ),
  "block action": () => (o) =>
    h.emu.platform.blockAction(
      {
        userId: "U0CLERK001",
        channelId: "C0AP000001",
        messageTs,
        action: { action_id: "open.erp" },
      },
      o,
    ),
  "view submission": () => (o) =>
    h.emu.platform.viewSubmission(
      {
        userId: "U0CLERK001",
        viewId,
        values: {
          [REJECT_REASON_BLOCK]: {
            [REJECT_REASON_ACTION]: { type: "plain_text_input", value: "x" },
          },
        },
      },
      o,
    ),
  event: () => (o) => h.emu.platform.appHomeOpened("U0CLERK001", o),
};

describe("signed requests", () => {
  for (const [kind, make] of Object.entries(kinds)) {
    it(`refuses a forged, stale, future or replayed ${kind} with 401 and counts each`, async () => {
      const send = make();
      const before = h.slack.stats.rejectedSignatures;
      const forged = await send({ forgeSignature: true });
      // Five minutes is the documented bound: one second past it, and well past it, both ways.
      const stale = await send({ timestampSkewSeconds: -301 });
      const veryStale = await send({ timestampSkewSeconds: -3600 });
      const future = await send({ timestampSkewSeconds: 301 });
      const farFuture = await send({ timestampSkewSeconds: 86_400 });
      const original = await send();
      const replayed = await h.emu.platform.replay(original.request);
      expect({
        forged: forged.status,
        stale: stale.status,
        veryStale: veryStale.status,
        future: future.status,
        farFuture: farFuture.status,
        original: original.status,
        replayed: replayed.status,
      }).toEqual({
        forged: 401,
        stale: 401,
        veryStale: 401,
        future: 401,
        farFuture: 401,
        original: 200,
        replayed: 401,
      });
      expect(h.slack.stats.rejectedSignatures - before).toBe(6);
    });
  }

  it("accepts a request signed within the window (4 minutes old) once", async () => {
    const before = h.slack.stats.rejectedSignatures;
    const send = kinds["slash command"]?.();
    const res = await send?.({ timestampSkewSeconds: -240 });
    expect(res?.status).toBe(200);
    expect(h.slack.stats.rejectedSignatures).toBe(before);
  });

  it("refuses an unsigned request and one signed over a different body", async () => {
    const before = h.slack.stats.rejectedSignatures;
    const unsigned = await fetch(h.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "command=%2Finfor&text=help",
    });
    const good = await h.emu.platform.slashCommand({
      command: "/infor",
      text: "po 1",
      userId: "U0CLERK001",
      channelId: "C0AP000001",
    });
    // Same signature headers, body changed after signing (e.g. a proxy or an attacker).
    const tampered = await fetch(h.url, {
      method: "POST",
      headers: good.request.headers,
      body: good.request.body.replace("po+1", "po+2"),
    });
    expect([unsigned.status, tampered.status]).toEqual([401, 401]);
    expect(h.slack.stats.rejectedSignatures - before).toBe(2);
  });
});
