import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPendingApproval } from "../../src/approvals/create-pending.ts";
import { approvalActions } from "../../src/slack/blocks/alert.ts";
import { type SecurityHarness, startSecurityHarness } from "../security/helpers/app.ts";
import { APPROVER_1, CHANNEL, CLERK, eventually, subject, textOf } from "./helpers/harness.ts";

/**
 * Issue 14, items 6 and 8: a button decides only the approval of the message it sits on, the
 * message is re-rendered from our own state (never from blocks a payload carries), and free text
 * is bounded and cleaned on the server whatever the modal allowed.
 */
let h: SecurityHarness;
beforeAll(async () => {
  h = await startSecurityHarness("approval-binding");
});
afterAll(async () => {
  await h?.close();
});

async function postAlert(alertId: string) {
  const approval = await createPendingApproval({ store: h.store }, subject(alertId));
  const res = await h.client.chat.postMessage({
    channel: CHANNEL,
    text: `Invoice ${alertId} needs approval`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*Invoice ${alertId}* · 4,998.00 EUR` } },
      approvalActions(approval.id) as never,
    ],
  });
  const ts = String(res.ts);
  await h.store.attachMessage(approval.id, CHANNEL, ts);
  return { approval, ts };
}

const message = (ts: string) => h.emu.inspect.messages(CHANNEL).find((m) => m.ts === ts);
const settle = () => new Promise((r) => setTimeout(r, 300));

describe("a button is bound to its own message", () => {
  it("refuses a click whose approval id belongs to another message; nothing changes", async () => {
    const a = await postAlert("BIND-A");
    const b = await postAlert("BIND-B");
    const before = textOf(message(b.ts)?.blocks);
    const res = await h.emu.platform.blockAction({
      userId: APPROVER_1,
      channelId: CHANNEL,
      messageTs: b.ts,
      action: { action_id: "approval.approve", value: a.approval.id },
    });
    expect(res.status).toBe(200);
    await eventually(() =>
      h.audit.find((e) => e.type === "approval.refused" && e.approvalId === a.approval.id),
    );
    await settle();
    expect((await h.store.get(a.approval.id))?.state).toBe("pending");
    expect((await h.store.get(b.approval.id))?.state).toBe("pending");
    expect(textOf(message(b.ts)?.blocks)).toBe(before);
    expect(h.audit.filter((e) => e.type === "approval.decided")).toEqual([]);
  });

  it("refuses a click naming an unattached approval on a message that does not carry it", async () => {
    const approval = await createPendingApproval({ store: h.store }, subject("BIND-LOOSE"));
    const other = await h.client.chat.postMessage({ channel: CHANNEL, text: "Another message" });
    // Slack itself sends no such click (the message has no button): a signed payload does.
    const payload = {
      type: "block_actions",
      user: { id: APPROVER_1 },
      trigger_id: "1.2.3",
      container: { type: "message", message_ts: String(other.ts), channel_id: CHANNEL },
      channel: { id: CHANNEL },
      message: { ts: String(other.ts), text: "Another message" },
      actions: [
        { action_id: "approval.approve", type: "button", value: approval.id, action_ts: "1" },
      ],
    };
    const res = await h.signedPost(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
    expect(res.status).toBe(200);
    await eventually(() =>
      h.audit.find((e) => e.type === "approval.refused" && e.approvalId === approval.id),
    );
    const stored = await h.store.get(approval.id);
    // Before, the click attached the approval to whatever message it came from.
    expect([stored?.state, stored?.channel, stored?.ts]).toEqual(["pending", undefined, undefined]);
  });

  it("takes a click that beats delivery's attach when Slack's copy of the message carries it", async () => {
    const approval = await createPendingApproval({ store: h.store }, subject("BIND-EARLY"));
    const posted = await h.client.chat.postMessage({
      channel: CHANNEL,
      text: "Invoice BIND-EARLY",
      blocks: [approvalActions(approval.id) as never],
    });
    await h.emu.platform.blockAction({
      userId: APPROVER_1,
      channelId: CHANNEL,
      messageTs: String(posted.ts),
      action: { action_id: "approval.approve" },
    });
    const stored = await eventually(async () => {
      const a = await h.store.get(approval.id);
      return a?.state === "approved" ? a : undefined;
    });
    expect([stored.channel, stored.ts]).toEqual([CHANNEL, String(posted.ts)]);
  });

  it("renders the decision from our state, never from blocks the payload carried", async () => {
    const { approval, ts } = await postAlert("BIND-TEXT");
    const payload = {
      type: "block_actions",
      user: { id: APPROVER_1 },
      team: { id: "T0EMU00001" },
      trigger_id: "1.2.3",
      container: { type: "message", message_ts: ts, channel_id: CHANNEL },
      channel: { id: CHANNEL },
      message: {
        ts,
        text: "ATTACKER TEXT",
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "ATTACKER BLOCK" } }],
      },
      actions: [
        { action_id: "approval.approve", type: "button", value: approval.id, action_ts: "1" },
      ],
    };
    const res = await h.signedPost(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
    expect(res.status).toBe(200);
    await eventually(async () => (await h.store.get(approval.id))?.state === "approved");
    const stamped = await eventually(() => {
      const m = message(ts);
      return m && textOf(m.blocks).includes("Approved") ? m : undefined;
    });
    expect(`${stamped.text} ${textOf(stamped.blocks)}`).not.toContain("ATTACKER");
    expect(textOf(stamped.blocks)).toContain("Invoice BIND-TEXT");
  });
});

describe("free text is bounded and cleaned on the server", () => {
  async function openModal(
    approvalId: string,
    ts: string,
    action: "approval.reject" | "approval.comment",
  ) {
    await h.emu.platform.blockAction({
      userId: action === "approval.reject" ? APPROVER_1 : CLERK,
      channelId: CHANNEL,
      messageTs: ts,
      action: { action_id: action },
    });
    const callback = `${action}_modal`;
    return eventually(() =>
      h.emu.inspect
        .views({ type: "modal" })
        .find((v) => v.callback_id === callback && v.private_metadata.includes(approvalId)),
    );
  }

  it("refuses a 10,000-character reject reason and keeps the approval pending", async () => {
    const { approval, ts } = await postAlert("TEXT-LONG");
    const modal = await openModal(approval.id, ts, "approval.reject");
    const res = await h.emu.platform.viewSubmission({
      userId: APPROVER_1,
      viewId: modal.id,
      values: { reason: { reason_input: { type: "plain_text_input", value: "x".repeat(10_000) } } },
    });
    expect(res.json).toMatchObject({ response_action: "errors" });
    expect(JSON.stringify(res.json)).toContain("500 characters");
    await settle();
    expect((await h.store.get(approval.id))?.state).toBe("pending");
  });

  it("strips control characters and bidi overrides from a reason before storing or posting", async () => {
    const { approval, ts } = await postAlert("TEXT-BIDI");
    const modal = await openModal(approval.id, ts, "approval.reject");
    await h.emu.platform.viewSubmission({
      userId: APPROVER_1,
      viewId: modal.id,
      values: {
        reason: {
          reason_input: {
            type: "plain_text_input",
            value: "Price\u0007 wrong \u202eEVIL\u202c\u2066 ok\u200b\u0000",
          },
        },
      },
    });
    const stored = await eventually(async () => {
      const a = await h.store.get(approval.id);
      return a?.state === "rejected" ? a : undefined;
    });
    expect(stored.reason).toBe("Price wrong EVIL ok");
    const reply = await eventually(() =>
      message(ts)?.replies.find((r) => r.text.includes("Price wrong")),
    );
    expect(reply.text).not.toMatch(/[\p{Cc}\u202a-\u202e\u2066-\u2069\u200b]/u);
  });

  it("cleans a comment and refuses one past 1,000 characters", async () => {
    const { approval, ts } = await postAlert("TEXT-COMMENT");
    const modal = await openModal(approval.id, ts, "approval.comment");
    const long = await h.emu.platform.viewSubmission({
      userId: CLERK,
      viewId: modal.id,
      values: { comment: { comment_input: { type: "plain_text_input", value: "y".repeat(1001) } } },
    });
    expect(JSON.stringify(long.json)).toContain("1000 characters");
    await h.emu.platform.viewSubmission({
      userId: CLERK,
      viewId: modal.id,
      values: {
        comment: {
          comment_input: { type: "plain_text_input", value: "Goods\u001b[31m ok\u202e" },
        },
      },
    });
    const entry = await eventually(() =>
      h.audit.find((e) => e.type === "approval.commented" && e.approvalId === approval.id),
    );
    expect(entry).toMatchObject({ comment: "Goods[31m ok" });
  });
});
