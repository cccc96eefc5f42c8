import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedHeaders } from "../../sandbox/slack-emu/sign.ts";
import { threadPosterVia } from "../../src/app/thread-notes.ts";
import { createPendingApproval } from "../../src/approvals/create-pending.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import { approvalActions } from "../../src/slack/blocks/alert.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import {
  COMMENT_ACTION,
  COMMENT_BLOCK,
  COMMENT_MODAL_CALLBACK,
} from "../../src/slack/views/approval-view.ts";
import {
  APPROVER_1,
  CHANNEL,
  CLERK,
  eventually,
  type Harness,
  startHarness,
  subject,
} from "./helpers/harness.ts";

/**
 * Issue 14, item 7: comments and decision notices are bot posts like any other, so they go
 * through delivery (paced per channel, exactly once). Slack's limit is about 1 message per second
 * per channel with short bursts; the emulator enforces it (its clock and delivery's both run 10
 * times faster here). Before, 6 comments at once lost 2 to 429s while the user saw success.
 */
const TIME_SCALE = 10;
let h: Harness;
let delivery: Delivery;

beforeAll(async () => {
  h = await startHarness(
    "thread-notes",
    ({ redis, prefix, emu }) => {
      delivery = createSlackDelivery({
        connection: redis.duplicate({ maxRetriesPerRequest: null }),
        prefix,
        slack: { token: emu.botToken, slackApiUrl: emu.url },
        config: { timeScale: TIME_SCALE },
      });
      return { threadPoster: threadPosterVia((a) => delivery.enqueue(a)) };
    },
    { timeScale: TIME_SCALE },
  );
  delivery.startWorker({ concurrency: 8 });
});
afterAll(async () => {
  await delivery?.close();
  await h?.close();
});

async function postAlert(alertId: string) {
  const approval = await createPendingApproval({ store: h.store }, subject(alertId));
  const res = await h.client.chat.postMessage({
    channel: CHANNEL,
    text: `Invoice ${alertId} needs approval`,
    blocks: [approvalActions(approval.id) as never],
  });
  const ts = String(res.ts);
  await h.store.attachMessage(approval.id, CHANNEL, ts);
  return { approval, ts };
}

function submitComment(approvalId: string, text: string, user = CLERK) {
  const payload = {
    type: "view_submission",
    user: { id: user },
    team: { id: "T0EMU00001" },
    view: {
      id: `V${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
      callback_id: COMMENT_MODAL_CALLBACK,
      private_metadata: JSON.stringify({ id: approvalId }),
      state: {
        values: {
          [COMMENT_BLOCK]: { [COMMENT_ACTION]: { type: "plain_text_input", value: text } },
        },
      },
    },
  };
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const headers = signedHeaders(
    h.emu.signingSecret,
    Math.floor(Date.now() / 1000),
    body,
    "application/x-www-form-urlencoded",
  );
  return fetch(`http://127.0.0.1:${h.port}/slack/events`, { method: "POST", headers, body }).then(
    (r) => r.status,
  );
}

const replies = (ts: string) =>
  h.emu.inspect.messages(CHANNEL).find((m) => m.ts === ts)?.replies ?? [];

describe("thread replies go through delivery", () => {
  it("20 comments submitted at once in one channel all reach the thread, once each", async () => {
    const { approval, ts } = await postAlert("NOTES-20");
    const texts = Array.from({ length: 20 }, (_, i) => `comment number ${i + 1}.`);
    const statuses = await Promise.all(texts.map((t) => submitComment(approval.id, t)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await eventually(() => replies(ts).length >= 20, 20_000);
    await new Promise((r) => setTimeout(r, 500));
    const counts = texts.map((t) => replies(ts).filter((r) => r.text.includes(t)).length);
    expect(counts).toEqual(texts.map(() => 1));
    expect(h.audit.filter((e) => e.type === "approval.commented")).toHaveLength(20);
  }, 30_000);

  it("the decision notice is a paced thread reply too, posted once", async () => {
    const { approval, ts } = await postAlert("NOTES-DECIDE");
    await h.emu.platform.blockAction({
      userId: APPROVER_1,
      channelId: CHANNEL,
      messageTs: ts,
      action: { action_id: "approval.approve", value: approval.id },
    });
    const notice = await eventually(
      () => replies(ts).find((r) => r.text.includes("Approved")),
      10_000,
    );
    expect(notice.text).toContain("Invoice NOTES-DECIDE");
    const stored = await delivery.audit.storedAlerts({ recordKey: approval.recordKey });
    expect(stored.filter((a) => a.kind === "note")).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(replies(ts).filter((r) => r.text.includes("Approved"))).toHaveLength(1);
  });
});
