import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlackApp } from "../../src/slack/app.ts";
import { approvalActions } from "../../src/slack/blocks/alert.ts";
import { SlackAppError } from "../../src/slack/errors.ts";
import { fakeLookups } from "./helpers/fixtures.ts";
import {
  APPROVER_1,
  CHANNEL,
  CLERK,
  eventually,
  type Harness,
  startHarness,
} from "./helpers/harness.ts";

let h: Harness;
let promRejections = 0;
beforeAll(async () => {
  h = await startHarness("slack-security", {
    metrics: { slackSignatureRejections: { inc: () => void promRejections++ } },
    customRoutes: [
      {
        path: "/healthz",
        method: ["GET"],
        handler: (_req, res) => {
          res.writeHead(200).end("ok");
        },
      },
    ],
  });
});
afterAll(async () => {
  await h?.close();
});

const command = { command: "/infor", text: "help", userId: CLERK, channelId: CHANNEL };

describe("request verification", () => {
  it("accepts a correctly signed request", async () => {
    const before = h.slack.stats.rejectedSignatures;
    expect((await h.emu.platform.slashCommand(command)).status).toBe(200);
    expect(h.slack.stats.rejectedSignatures).toBe(before);
  });

  it("refuses forged, stale, future and replayed requests with 401 and counts each", async () => {
    const before = h.slack.stats.rejectedSignatures;
    const forged = await h.emu.platform.slashCommand(command, { forgeSignature: true });
    const stale = await h.emu.platform.slashCommand(command, { timestampSkewSeconds: -301 });
    const future = await h.emu.platform.slashCommand(command, { timestampSkewSeconds: 400 });
    const original = await h.emu.platform.slashCommand({ ...command, text: "status" });
    const replayed = await h.emu.platform.replay(original.request);
    expect([forged.status, stale.status, future.status, original.status, replayed.status]).toEqual([
      401, 401, 401, 200, 401,
    ]);
    expect(h.slack.stats.rejectedSignatures - before).toBe(4);
    expect(promRejections).toBe(h.slack.stats.rejectedSignatures);
  });

  it("refuses a request without signature headers", async () => {
    const before = h.slack.stats.rejectedSignatures;
    const res = await fetch(`http://127.0.0.1:${h.port}/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "command=%2Finfor&text=help",
    });
    expect(res.status).toBe(401);
    expect(h.slack.stats.rejectedSignatures - before).toBe(1);
  });

  it("answers Slack's url_verification challenge and serves custom routes", async () => {
    const res = await h.emu.platform.urlVerification("c-123");
    expect(res.status).toBe(200);
    expect(res.body).toContain("c-123");
    const health = await fetch(`http://127.0.0.1:${h.port}/healthz`);
    expect(await health.text()).toBe("ok");
  });

  it("acknowledges clicks on buttons it does not own (e.g. link buttons)", async () => {
    const posted = await h.client.chat.postMessage({
      channel: CHANNEL,
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
    const res = await h.emu.platform.blockAction({
      userId: CLERK,
      channelId: CHANNEL,
      messageTs: posted.ts ?? "",
      action: { action_id: "open.erp" },
    });
    expect(res.status).toBe(200);
    expect(res.timedOut).toBe(false);
  });

  it("without approvals configured, approval buttons are answered, not left unacked", async () => {
    const bare = createSlackApp({
      config: {
        signingSecret: h.emu.signingSecret,
        botToken: h.emu.botToken,
        botId: "B0EMUBOT01",
        botUserId: "U0BOT00001",
        slackApiUrl: h.emu.url,
      },
      redis: h.redis,
      keyPrefix: `${h.prefix}bare:`,
      lookups: fakeLookups(),
    });
    const { port } = await bare.start(0);
    try {
      h.emu.platform.setRequestUrl(`http://127.0.0.1:${port}/slack/events`);
      const posted = await h.client.chat.postMessage({
        channel: CHANNEL,
        text: "needs approval",
        blocks: [approvalActions("apv_x") as never],
      });
      const res = await h.emu.platform.blockAction({
        userId: APPROVER_1,
        channelId: CHANNEL,
        messageTs: posted.ts ?? "",
        action: { action_id: "approval.approve" },
      });
      expect(res.status).toBe(200);
      await eventually(() =>
        h.emu.inspect.ephemerals({ user: APPROVER_1 }).find((e) => e.text.includes("not enabled")),
      );
    } finally {
      h.emu.platform.setRequestUrl(`http://127.0.0.1:${h.port}/slack/events`);
      await bare.stop();
    }
  });

  it("handles a retried event once (same event_id, X-Slack-Retry-Num)", async () => {
    const publishes = () => h.emu.inspect.requests({ method: "views.publish" }).length;
    const before = publishes();
    const event = { type: "app_home_opened", user: APPROVER_1, channel: "D0APPR0001", tab: "home" };
    const first = await h.emu.platform.event(event, { eventId: "Ev0DUPE0001" });
    expect(first.status).toBe(200);
    await eventually(() => publishes() === before + 1);
    const dupBefore = h.slack.stats.duplicateEvents;
    // Slack signs each retry afresh, a moment later.
    const retry = await h.emu.platform.event(event, {
      eventId: "Ev0DUPE0001",
      timestampSkewSeconds: 1,
      headers: { "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout" },
    });
    expect(retry.status).toBe(200);
    await eventually(() => h.slack.stats.duplicateEvents === dupBefore + 1);
    expect(publishes()).toBe(before + 1);
  });
});

describe("start-up", () => {
  it("refuses to start without a signing secret, with a clear coded error", () => {
    const start = () =>
      createSlackApp({
        config: { botToken: "xoxb-test", botId: "B1", botUserId: "U1" },
        redis: h.redis,
        lookups: fakeLookups(),
        logger: pino({ level: "silent" }),
      });
    expect(start).toThrow(SlackAppError);
    try {
      start();
    } catch (err) {
      expect((err as SlackAppError).code).toBe("missing_signing_secret");
      expect((err as Error).message).toContain("SLACK_SIGNING_SECRET");
    }
  });

  it("uses Socket Mode without a signing secret when an app-level token is configured", async () => {
    const handle = createSlackApp({
      config: { botToken: "xoxb-test", appToken: "xapp-1-A0-1-test", botId: "B1", botUserId: "U1" },
      redis: h.redis,
      lookups: fakeLookups(),
    });
    expect(handle.app).toBeDefined();
    expect(handle.stats.rejectedSignatures).toBe(0);
  });

  it("refuses a Socket Mode token that is not an app-level token", () => {
    expect(() =>
      createSlackApp({
        config: { botToken: "xoxb-test", appToken: "xoxb-wrong" },
        redis: h.redis,
        lookups: fakeLookups(),
      }),
    ).toThrow(expect.objectContaining({ code: "bad_app_token" }));
  });
});
