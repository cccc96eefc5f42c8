import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlert } from "../../src/alerts/alert.ts";
import { messageRefresherVia } from "../../src/app/message-refresh.ts";
import { threadPosterVia } from "../../src/app/thread-notes.ts";
import { createPendingApproval } from "../../src/approvals/create-pending.ts";
import { approvalDecisions } from "../../src/approvals/decisions.ts";
import type { ApprovalSubject } from "../../src/approvals/types.ts";
import { createUserGroupResolver } from "../../src/approvals/usergroups.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import { recordKey } from "../../src/infor/records.ts";
import { eligibleApprovers } from "../../src/rules/approval-policy.ts";
import { createSlackApprovalNotifier } from "../../src/slack/actions/approval-notifier.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { withApproverCards } from "../../src/slack/direct/approver-cards.ts";
import { imChannels } from "../../src/slack/direct/im-channels.ts";
import { invoice } from "../blocks/fixtures.ts";
import {
  ADMIN,
  APPROVER_1,
  APPROVER_2,
  CHANNEL,
  CLERK,
  eventually,
  type Harness,
  routingPolicy,
  startHarness,
  subject,
  textOf,
} from "./helpers/harness.ts";

/**
 * routing.yml approvals.dmApprovers: the channel alert and each approver's card go through
 * delivery (real Redis, the emulator's Web API); clicks come as Slack's signed block_actions
 * through Bolt. Cost center 100: @ap-approvers (both approvers) up to 10,000 EUR, the admin
 * without limit; the admin entered every invoice here, so only the two approvers are asked.
 */
let h: Harness;
let delivery: Delivery;
let enqueue: Delivery["enqueue"];
const DM_1 = `D${APPROVER_1.slice(1)}`;
const DM_2 = `D${APPROVER_2.slice(1)}`;

beforeAll(async () => {
  // As the app wires it: each stamp is re-rendered through delivery's edit line too.
  h = await startHarness("approver-cards", () => ({
    // As the app wires it: the whole delivery (its refresh, and its render for the rewrite).
    messageRefresher: messageRefresherVia({
      refresh: (r) => delivery.refresh(r),
      renderNow: (r) => delivery.renderNow(r),
    }),
  }));
  delivery = createSlackDelivery({
    connection: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    prefix: h.prefix,
    slack: { token: h.emu.botToken, slackApiUrl: h.emu.url },
    logger: pino({ level: "silent" }),
    config: {
      timeScale: 20,
      retryDelayMs: 50,
      requestTimeoutMs: 2000,
      ambiguousGraceMs: 200,
      digests: { enabled: false },
    },
    decisions: approvalDecisions(h.store),
  });
  delivery.startWorker({ concurrency: 2 });
  const groups = createUserGroupResolver({ client: h.client, redis: h.redis, prefix: h.prefix });
  enqueue = withApproverCards(
    (a) => delivery.enqueue(a),
    {
      store: h.store,
      eligible: (a) => eligibleApprovers(routingPolicy, a.amount, a.costCenter),
      groupMembers: (g) => groups.members(g),
      openIm: imChannels({ client: h.client, redis: h.redis, prefix: h.prefix }),
      limit: 10,
    },
    pino({ level: "silent" }),
  );
});
afterAll(async () => {
  await delivery?.close();
  await h?.close();
});

const inChannel = (channel: string, ts: string) =>
  h.emu.inspect.messages(channel).find((m) => m.ts === ts);
const buttons = (channel: string, ts: string) =>
  textOf(inChannel(channel, ts)?.blocks).includes("approval.approve");

/** A price variance on a new invoice, asking for a decision: channel message and cards. */
async function openException(number: string, over: Partial<ApprovalSubject> = {}) {
  const record = invoice({ invoiceNumber: number, costCenter: "100", status: "approval" });
  const approval = await createPendingApproval(
    { store: h.store },
    subject(`alert-${number}`, {
      recordKey: recordKey(record),
      kind: "exception",
      enteredBy: "ASMITH",
      enteredBySlackId: ADMIN,
      ...over,
    }),
  );
  const alert = createAlert({
    kind: "exception.opened",
    channel: CHANNEL,
    record,
    exception: {
      type: "price_variance",
      summary: "Invoiced price above the PO price",
      amount: { amount: "759.38", currency: "EUR" },
    },
    needsDecision: { approvalId: approval.id, ask: { users: [], groups: ["S0APPROVER"] } },
  });
  await enqueue(alert);
  const find = (channel: string) => () =>
    h.emu.inspect
      .messages(channel)
      .find((m) => m.text.includes(number) && textOf(m.blocks).includes(approval.id));
  const channelTs = (await eventually(find(CHANNEL), 10_000)).ts;
  const card1 = (await eventually(find(DM_1), 10_000)).ts;
  const card2 = (await eventually(find(DM_2), 10_000)).ts;
  // The cards are bound to the approval once delivery attached them.
  await eventually(async () => (await h.store.get(approval.id))?.directCards?.every((c) => c.ts));
  return { approval, alert, channelTs, card1, card2 };
}

const click = (user: string, channel: string, ts: string, action = "approval.approve") =>
  h.emu.platform.blockAction({
    userId: user,
    channelId: channel,
    messageTs: ts,
    action: { action_id: action },
  });

describe("approvers asked in their direct messages", () => {
  it("each eligible approver gets one card with the same buttons; never who entered it", async () => {
    const { approval, alert, card1, card2 } = await openException("DM-1");
    for (const [dm, ts] of [
      [DM_1, card1],
      [DM_2, card2],
    ] as const) {
      const card = inChannel(dm, ts);
      expect(card?.text).toContain("Your decision");
      expect(card?.text).toContain("DM-1");
      expect(textOf(card?.blocks)).toContain(`<#${CHANNEL}>`);
      for (const id of ["approval.approve", "approval.reject", "approval.comment"]) {
        expect(textOf(card?.blocks)).toContain(id);
      }
      // Addressed to the reader: no mention line on the card.
      expect(textOf(card?.blocks)).not.toContain("<!subteam^");
    }
    expect(h.emu.inspect.messages(`D${ADMIN.slice(1)}`)).toEqual([]);
    // Queued again (a retry, a replay of the sync): still one card each, exactly once.
    await enqueue(alert);
    await new Promise((r) => setTimeout(r, 300));
    for (const dm of [DM_1, DM_2]) {
      expect(
        h.emu.inspect.messages(dm).filter((m) => textOf(m.blocks).includes(approval.id)),
      ).toHaveLength(1);
    }
  });

  it("a card whose post answer was lost is found in the DM's history, not posted twice", async () => {
    // The post is carried out, then the connection drops before the answer (Slack's side did it).
    h.emu.control.addFault({ kind: "ambiguous", mode: "drop", channel: DM_1, next: 1 });
    const { approval, card1 } = await openException("DM-AMB");
    const cards = h.emu.inspect
      .messages(DM_1)
      .filter((m) => textOf(m.blocks).includes(approval.id));
    expect(cards.map((m) => m.ts)).toEqual([card1]);
    // The drop happened, and the look-up read the DM (by its id) before anything else was sent.
    const posts = h.emu.inspect
      .requests({ method: "chat.postMessage" })
      .filter((r) => r.channel === DM_1);
    expect(posts.some((r) => r.fault !== undefined)).toBe(true);
    expect(
      h.emu.inspect.requests({ method: "conversations.history" }).some((r) => r.channel === DM_1),
    ).toBe(true);
  });

  it("approve from a card: one decision; the channel message and every card stamped, buttons gone", async () => {
    const { approval, channelTs, card1, card2 } = await openException("DM-2");
    const res = await click(APPROVER_1, DM_1, card1);
    expect(res.status).toBe(200);
    for (const [channel, ts] of [
      [CHANNEL, channelTs],
      [DM_1, card1],
      [DM_2, card2],
    ] as const) {
      await eventually(
        () => !buttons(channel, ts) && textOf(inChannel(channel, ts)?.blocks).includes("Approved"),
      );
      expect(textOf(inChannel(channel, ts)?.blocks)).toContain(`<@${APPROVER_1}>`);
    }
    expect((await h.store.get(approval.id))?.state).toBe("approved");
    const decided = h.audit.filter(
      (e) => e.type === "approval.decided" && "approvalId" in e && e.approvalId === approval.id,
    );
    expect(decided).toHaveLength(1);
  });

  it("decided in the channel: every card shows who decided and loses its buttons", async () => {
    const { approval, channelTs, card1, card2 } = await openException("DM-3");
    const updates = () => h.emu.inspect.requests({ method: "chat.update" }).filter((r) => r.ok);
    const drained = async () => (await h.redis.zcard(`${h.prefix}dlv:pending`)) === 0;
    // The earlier tests' refreshes are done first: only this decision's calls are counted.
    await eventually(drained, 10_000);
    const before = updates().length;
    const reads = h.emu.inspect.requests({ method: "conversations.history" }).length;
    await click(APPROVER_2, CHANNEL, channelTs);
    for (const [dm, ts] of [
      [DM_1, card1],
      [DM_2, card2],
    ] as const) {
      await eventually(() => !buttons(dm, ts));
      expect(textOf(inChannel(dm, ts)?.blocks)).toContain(`Approved* by <@${APPROVER_2}>`);
    }
    expect((await h.store.get(approval.id))?.state).toBe("approved");
    // What the stamp costs on chat.update's tier: the channel message and both cards, each
    // written at once as delivery renders it (its latest version, no history read), so none
    // needs a refresh.
    await eventually(async () => (await drained()) && updates().length >= before + 3, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    await eventually(drained, 10_000);
    const made = updates().slice(before);
    expect(made.map((r) => r.channel).sort()).toEqual([CHANNEL, DM_1, DM_2].sort());
    expect(h.emu.inspect.requests({ method: "conversations.history" }).length).toBe(reads);
  });

  it("a stale card clicked after a decision elsewhere: refused with a clear answer, nothing recorded twice", async () => {
    const { approval, card2 } = await openException("DM-4");
    // Decided by someone else a moment ago; this card still shows its buttons.
    const first = await h.store.transition(approval.id, "approve", APPROVER_1);
    expect(first.ok).toBe(true);
    const before = h.emu.inspect.responseUrlPosts().length;
    await click(APPROVER_2, DM_2, card2);
    const answer = await eventually(() =>
      h.emu.inspect
        .responseUrlPosts()
        .slice(before)
        .find((p) => JSON.stringify(p.body).includes("Already decided")),
    );
    expect(JSON.stringify(answer.body)).toContain("Nothing changed");
    expect(answer.body.response_type ?? "ephemeral").toBe("ephemeral");
    // The stale card is brought up to date.
    await eventually(() => !buttons(DM_2, card2));
    const after = await h.store.get(approval.id);
    expect(after?.decidedBy).toBe(APPROVER_1);
  });

  it("a reminder reaches each approver under their card (paced, once), not the channel", async () => {
    const { approval, channelTs, card1, card2 } = await openException("DM-REM");
    await h.store.markReminded(approval.id);
    const notifier = createSlackApprovalNotifier({
      client: h.client,
      logger: pino({ level: "silent" }),
      remindTo: () => "<!subteam^S0APPROVER>",
      threadPoster: threadPosterVia((a) => delivery.enqueue(a)),
    });
    const stored = await h.store.get(approval.id);
    if (!stored) throw new Error("approval gone");
    await notifier.remind(stored);
    await notifier.remind(stored); // the sweep on another replica: still one reminder each
    for (const [dm, ts, user] of [
      [DM_1, card1, APPROVER_1],
      [DM_2, card2, APPROVER_2],
    ] as const) {
      const reply = await eventually(
        () => inChannel(dm, ts)?.replies.find((r) => r.text.includes("reminder")),
        10_000,
      );
      expect(reply.text).toContain(`<@${user}>: reminder`);
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const [dm, ts] of [
      [DM_1, card1],
      [DM_2, card2],
    ] as const) {
      expect(inChannel(dm, ts)?.replies.filter((r) => r.text.includes("reminder"))).toHaveLength(1);
    }
    expect(inChannel(CHANNEL, channelTs)?.replies ?? []).toEqual([]);
  });

  it("a copy of a card's button on another message in the DM decides nothing (not_this_message)", async () => {
    const { approval, card1 } = await openException("DM-5");
    const copy = await h.client.chat.postMessage({
      channel: DM_1,
      text: "copy",
      blocks: inChannel(DM_1, card1)?.blocks as never,
    });
    await click(APPROVER_1, DM_1, copy.ts ?? "");
    await eventually(() =>
      h.audit.find(
        (e) =>
          e.type === "approval.refused" &&
          "approvalId" in e &&
          e.approvalId === approval.id &&
          "code" in e &&
          e.code === "not_this_message",
      ),
    );
    expect((await h.store.get(approval.id))?.state).toBe("pending");
    // Someone not asked cannot decide from a card either (the policy still applies).
    expect(CLERK).not.toBe(APPROVER_1);
  });
});
