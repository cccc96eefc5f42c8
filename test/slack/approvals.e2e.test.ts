import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPendingApproval } from "../../src/approvals/create-pending.ts";
import { approvalIdFor, createApprovalStore } from "../../src/approvals/store.ts";
import { runApprovalSweep } from "../../src/approvals/sweep.ts";
import { createSlackApprovalNotifier } from "../../src/slack/actions/approval-notifier.ts";
import { approvalButtons } from "../../src/slack/views/approval-view.ts";
import {
  ADMIN,
  APPROVER_1,
  APPROVER_2,
  CHANNEL,
  CLERK,
  eventually,
  type Harness,
  postApprovalAlert,
  startHarness,
  subject,
  textOf,
} from "./helpers/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness("slack-approvals");
});
afterAll(async () => {
  await h?.close();
});

/** What the sync side and delivery do: create the approval, post the alert with its buttons. */
const postAlert = (alertId: string, over: Parameters<typeof subject>[1] = {}) =>
  postApprovalAlert(h, subject(alertId, over), `*Invoice ${alertId}* · 4,998.00 EUR`);

const click = (user: string, ts: string, action: string) =>
  h.emu.platform.blockAction({
    userId: user,
    channelId: CHANNEL,
    messageTs: ts,
    action: { action_id: action },
  });

const message = (ts: string) => h.emu.inspect.messages(CHANNEL).find((m) => m.ts === ts);

describe("approvals through signed requests", () => {
  it("approve: one decision, message stamped, buttons gone, thread reply, audit", async () => {
    const { approval, ts } = await postAlert("A-OK");
    const res = await click(APPROVER_1, ts, "approval.approve");
    expect(res.status).toBe(200);
    const updated = await eventually(() => {
      const m = message(ts);
      return m && textOf(m.blocks).includes("Approved") ? m : undefined;
    });
    expect(textOf(updated.blocks)).toContain(`<@${APPROVER_1}>`);
    expect(textOf(updated.blocks)).not.toContain("approval.approve");
    // The thread reply's text (what a notification shows) names the document decided.
    await eventually(() =>
      message(ts)?.replies.some(
        (r) => r.text.includes("Approved") && r.text.includes(approval.title),
      ),
    );
    expect((await h.store.get(approval.id))?.state).toBe("approved");
    expect(h.audit).toContainEqual(
      expect.objectContaining({
        type: "approval.decided",
        approvalId: approval.id,
        actor: APPROVER_1,
        state: "approved",
      }),
    );
  });

  it("an invoice lookup shows the approval state from the store", async () => {
    const { ts } = await postAlert("INV-APPR");
    await click(APPROVER_2, ts, "approval.approve");
    await eventually(() => textOf(message(ts)?.blocks).includes("Approved"));
    const before = h.emu.inspect.responseUrlPosts().length;
    await h.emu.platform.slashCommand({
      command: "/infor",
      text: "invoice 10023 INV-APPR",
      userId: CLERK,
      channelId: CHANNEL,
    });
    const post = await eventually(() => h.emu.inspect.responseUrlPosts()[before]);
    expect(textOf(post.body.blocks)).toContain(`Approved by <@${APPROVER_2}>`);
  });

  it("an invoice with two exception approvals: the lookup shows the one still waiting", async () => {
    // Both approvals are about invoice 10023/INV-TWO (one per exception); the newer is approved.
    const recordKey = subject("INV-TWO").recordKey;
    await postAlert("INV-TWO-A", { recordKey, title: "Price variance on INV-TWO" });
    const second = await postAlert("INV-TWO-B", { recordKey, title: "No receipt on INV-TWO" });
    await click(APPROVER_2, second.ts, "approval.approve");
    await eventually(() => textOf(message(second.ts)?.blocks).includes("Approved"));
    const before = h.emu.inspect.responseUrlPosts().length;
    await h.emu.platform.slashCommand({
      command: "/infor",
      text: "invoice 10023 INV-TWO",
      userId: CLERK,
      channelId: CHANNEL,
    });
    const post = await eventually(() => h.emu.inspect.responseUrlPosts()[before]);
    const shown = textOf(post.body.blocks);
    expect(shown).toContain("1 of 2 open");
    expect(shown).toContain("Waiting for approval (Price variance on INV-TWO)");
    expect(shown).toContain(`Approved by <@${APPROVER_2}>`);
  });

  it("a non-approver is refused privately, nothing changes, the attempt is audited", async () => {
    const { approval, ts } = await postAlert("A-CLERK");
    await click(CLERK, ts, "approval.approve");
    const eph = await eventually(() =>
      h.emu.inspect.ephemerals({ user: CLERK }).find((e) => e.text.includes("not an approver")),
    );
    expect(eph.text).toContain("cost center 100");
    expect((await h.store.get(approval.id))?.state).toBe("pending");
    expect(textOf(message(ts)?.blocks)).toContain("approval.approve");
    expect(h.audit).toContainEqual(
      expect.objectContaining({
        type: "approval.refused",
        approvalId: approval.id,
        actor: CLERK,
        code: "not_an_approver",
      }),
    );
  });

  it("an amount above the band is refused; segregation of duties blocks the enterer", async () => {
    const big = await postAlert("A-BIG", { amount: { amount: "25000.00", currency: "EUR" } });
    await click(APPROVER_2, big.ts, "approval.approve");
    await eventually(() =>
      h.emu.inspect
        .ephemerals({ user: APPROVER_2 })
        .find((e) => e.text.includes("above your approval limit")),
    );
    const own = await postAlert("A-OWN", { enteredBy: "ASMITH", enteredBySlackId: ADMIN });
    await click(ADMIN, own.ts, "approval.approve");
    await eventually(() =>
      h.emu.inspect
        .ephemerals({ user: ADMIN })
        .find((e) => e.text.includes("someone else has to approve")),
    );
    expect((await h.store.get(own.approval.id))?.state).toBe("pending");
  });

  it("two approvers clicking at once: exactly one decision, the other told who won", async () => {
    const { approval, ts } = await postAlert("A-RACE");
    await Promise.all([
      click(APPROVER_1, ts, "approval.approve"),
      click(APPROVER_2, ts, "approval.approve"),
    ]);
    const final = await eventually(async () => {
      const a = await h.store.get(approval.id);
      return a?.state === "approved" ? a : undefined;
    });
    const loser = final.decidedBy === APPROVER_1 ? APPROVER_2 : APPROVER_1;
    const told = await eventually(() =>
      h.emu.inspect.ephemerals({ user: loser }).find((e) => e.text.includes("Already decided")),
    );
    expect(told.text).toContain(`<@${final.decidedBy}>`);
    const decided = h.audit.filter(
      (e) => e.type === "approval.decided" && e.approvalId === approval.id,
    );
    expect(decided).toHaveLength(1);
    await eventually(() => (message(ts)?.replies.length ?? 0) >= 1);
    expect(message(ts)?.replies.filter((r) => r.text.includes("Approved"))).toHaveLength(1);
  });

  it("reject needs a reason: empty submission keeps the modal open with an error", async () => {
    const { approval, ts } = await postAlert("A-REJ");
    await click(APPROVER_1, ts, "approval.reject");
    const modal = await eventually(() =>
      h.emu.inspect
        .views({ type: "modal", user: APPROVER_1 })
        .find((v) => v.private_metadata.includes(approval.id)),
    );
    const empty = await h.emu.platform.viewSubmission({
      userId: APPROVER_1,
      viewId: modal.id,
      values: { reason: { reason_input: { type: "plain_text_input", value: "   " } } },
    });
    expect(empty.json).toMatchObject({
      response_action: "errors",
      errors: { reason: expect.any(String) },
    });
    expect((await h.store.get(approval.id))?.state).toBe("pending");
    const ok = await h.emu.platform.viewSubmission({
      userId: APPROVER_1,
      viewId: modal.id,
      values: {
        reason: { reason_input: { type: "plain_text_input", value: "Price differs from PO" } },
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe("");
    const updated = await eventually(() => {
      const m = message(ts);
      return m && textOf(m.blocks).includes("Rejected") ? m : undefined;
    });
    expect(textOf(updated.blocks)).toContain("Price differs from PO");
    expect((await h.store.get(approval.id))?.reason).toBe("Price differs from PO");
  });

  it("a stale button after a decision says so and updates nothing else", async () => {
    const { approval, ts } = await postAlert("A-STALE");
    await h.store.transition(approval.id, "approve", APPROVER_2);
    await click(APPROVER_1, ts, "approval.approve");
    await eventually(() =>
      h.emu.inspect
        .ephemerals({ user: APPROVER_1 })
        .find((e) => e.text.includes("Already decided") && e.text.includes(APPROVER_2)),
    );
    await eventually(() => !textOf(message(ts)?.blocks).includes("approval.approve"));
  });

  it("ERP says paid meanwhile: the message says so, no decision is recorded", async () => {
    const { approval, ts } = await postAlert("A-PAID");
    h.recheck.next = { changed: true, status: "paid" };
    try {
      await click(APPROVER_1, ts, "approval.approve");
      await eventually(() => textOf(message(ts)?.blocks).includes("was paid in the ERP"));
    } finally {
      h.recheck.next = { changed: false };
    }
    const a = await h.store.get(approval.id);
    expect(a?.state).toBe("superseded");
    expect(
      h.audit.filter((e) => e.type === "approval.decided" && e.approvalId === approval.id),
    ).toHaveLength(0);
  });

  it("Comment… posts to the thread and the audit log; an empty comment is refused", async () => {
    const approval = await createPendingApproval({ store: h.store }, subject("A-COMMENT"));
    const posted = await h.client.chat.postMessage({
      channel: CHANNEL,
      text: "Invoice A-COMMENT needs approval",
      blocks: [approvalButtons(approval.id) as never],
    });
    const ts = posted.ts ?? "";
    // Delivery attaches the message to its approval after posting; clicks are bound to it.
    await h.store.attachMessage(approval.id, CHANNEL, ts);
    await click(CLERK, ts, "approval.comment");
    const modal = await eventually(() =>
      h.emu.inspect
        .views({ type: "modal", user: CLERK })
        .find(
          (v) =>
            v.callback_id === "approval.comment_modal" && v.private_metadata.includes(approval.id),
        ),
    );
    const empty = await h.emu.platform.viewSubmission({
      userId: CLERK,
      viewId: modal.id,
      values: { comment: { comment_input: { type: "plain_text_input", value: " " } } },
    });
    expect(empty.json).toMatchObject({ response_action: "errors" });
    await h.emu.platform.viewSubmission({
      userId: CLERK,
      viewId: modal.id,
      values: {
        comment: { comment_input: { type: "plain_text_input", value: "Goods arrived <damaged>" } },
      },
    });
    const reply = await eventually(() =>
      message(ts)?.replies.find((r) => r.text.includes("Goods arrived")),
    );
    expect(reply.text).toContain("&lt;damaged&gt;");
    expect(h.audit).toContainEqual(
      expect.objectContaining({
        type: "approval.commented",
        actor: CLERK,
        comment: "Goods arrived <damaged>",
      }),
    );
    expect((await h.store.get(approval.id))?.state).toBe("pending");
  });

  it("hold keeps the buttons and records who held it", async () => {
    const { approval, ts } = await postAlert("A-HOLD");
    await click(APPROVER_2, ts, "approval.hold");
    await eventually(() => textOf(message(ts)?.blocks).includes("On hold"));
    expect(textOf(message(ts)?.blocks)).toContain("approval.approve");
    expect((await h.store.get(approval.id))?.state).toBe("hold");
  });

  it("App Home lists what the user may decide, with buttons, and their recent decisions", async () => {
    const { approval } = await postAlert("A-HOME");
    await h.emu.platform.appHomeOpened(APPROVER_1);
    // The Home tab was also published after earlier decisions: wait for the one with this item.
    const home = await eventually(() => {
      const v = h.emu.inspect.home(APPROVER_1);
      return v && textOf(v.blocks).includes("Invoice A-HOME") ? v : undefined;
    });
    const t = textOf(home.blocks);
    expect(t).toContain("Invoice A-HOME");
    expect(t).toContain(approval.id);
    expect(t).not.toContain(`home.${approvalIdFor("A-BIG")}`); // above APPROVER_1's band
    expect(t).not.toContain(`home.${approvalIdFor("A-OK")}`); // decided
    expect(t).toContain(`home.${approvalIdFor("A-HOLD")}`); // on hold is still open
    expect(t).toContain("Your recent decisions");
    expect(t).toContain("ION API");
    await h.emu.platform.appHomeOpened(CLERK);
    const clerkHome = await eventually(() => h.emu.inspect.home(CLERK));
    expect(textOf(clerkHome.blocks)).toContain("Nothing waits for you");

    // Approving from the Home tab updates the alert message in the channel and the Home tab.
    await h.emu.platform.blockAction({
      userId: APPROVER_1,
      viewId: home.id,
      action: { action_id: "approval.approve", value: approval.id },
    });
    await eventually(async () => (await h.store.get(approval.id))?.state === "approved");
    // The alert in the channel is stamped too (read back through conversations.history).
    await eventually(() => {
      const m = h.emu.inspect.messages(CHANNEL).find((x) => x.text.includes("A-HOME"));
      return (
        m && textOf(m.blocks).includes("Approved") && !textOf(m.blocks).includes("approval.approve")
      );
    });
    await eventually(
      () => !textOf(h.emu.inspect.home(APPROVER_1)?.blocks).includes(`home.${approval.id}`),
    );
  });

  // Last in the file: the sweep looks at every open approval, including earlier tests' ones.
  it("reminders, escalation and expiry show up on the alert and its thread", async () => {
    const { approval, ts } = await postAlert("A-SLOW");
    const created = Date.parse(approval.createdAt);
    let now = created;
    const store = createApprovalStore({ redis: h.redis, prefix: h.prefix, clock: () => now });
    const deps = {
      store,
      schedule: { remindAfterHours: 4, escalateAfterHours: 24, expireAfterHours: 72 },
      notify: createSlackApprovalNotifier({
        client: h.client,
        logger: pino({ level: "silent" }),
        escalateTo: () => "<!subteam^S0APPROVER>",
        // The reminder reaches whoever may decide (a mention notifies them; a bare reply does not).
        remindTo: () => "<@U0APPR0001>",
      }),
      audit: () => {},
      clock: () => now,
    };
    now = created + 5 * 3_600_000;
    await runApprovalSweep(deps);
    await eventually(() =>
      message(ts)?.replies.some(
        (r) => r.text.includes("<@U0APPR0001>: reminder") && r.text.includes(approval.title),
      ),
    );
    now = created + 25 * 3_600_000;
    await runApprovalSweep(deps);
    await eventually(() => textOf(message(ts)?.blocks).includes("Escalated"));
    expect(textOf(message(ts)?.blocks)).toContain("approval.approve");
    now = created + 73 * 3_600_000;
    await runApprovalSweep(deps);
    await eventually(() => textOf(message(ts)?.blocks).includes("Expired"));
    expect(textOf(message(ts)?.blocks)).not.toContain("approval.approve");
  });
});
