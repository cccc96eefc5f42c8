import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlert } from "../../src/alerts/alert.ts";
import { reflectedMessage } from "../../src/app/erp-approvals.ts";
import { messageRefresherVia } from "../../src/app/message-refresh.ts";
import { createPendingApproval } from "../../src/approvals/create-pending.ts";
import { approvalDecisions } from "../../src/approvals/decisions.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import { recordKey } from "../../src/infor/records.ts";
import { updateApprovalMessage } from "../../src/slack/actions/approval-messages.ts";
import { createSlackApprovalNotifier } from "../../src/slack/actions/approval-notifier.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { invoice } from "../blocks/fixtures.ts";
import {
  APPROVER_1,
  CHANNEL,
  eventually,
  type Harness,
  startHarness,
  subject,
  textOf,
} from "./helpers/harness.ts";

/**
 * A decision (or a pending approval) must survive delivery's later edits of the same message:
 * the click handler stamps the message, then a record update re-renders it from the new alert.
 * Drives the app through the emulator's signed requests and delivery through its Web API.
 */
let h: Harness;
let delivery: Delivery;
let afterLookup: ((q: { ts?: string }) => Promise<void>) | undefined;
beforeAll(async () => {
  // As the app wires it: each stamp is re-rendered through delivery's edit line too.
  h = await startHarness("decision-stamps", () => ({
    messageRefresher: messageRefresherVia(
      { refresh: (r) => delivery.refresh(r), renderNow: (r) => delivery.renderNow(r) },
      { setStamp: (id, stamp) => h.store.setStamp(id, stamp) },
    ),
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
      digests: { enabled: false },
    },
    decisions: {
      ...approvalDecisions(h.store),
      // A test's hook between delivery's look-up of the approval (its render) and its send.
      decisionFor: async (q) => {
        const view = await approvalDecisions(h.store).decisionFor(q);
        await afterLookup?.(q);
        return view;
      },
    },
  });
  delivery.startWorker({ concurrency: 2 });
});
afterAll(async () => {
  await delivery?.close();
  await h?.close();
});

const drained = async () => (await h.redis.zcard(`${h.prefix}dlv:pending`)) === 0;
const message = (ts: string) => h.emu.inspect.messages(CHANNEL).find((m) => m.ts === ts);

/** A new invoice needing a decision, posted by delivery; resolves with its message ts. */
async function postInvoice(number: string) {
  const record = invoice({ invoiceNumber: number, costCenter: "100", status: "approval" });
  const approval = await createPendingApproval(
    { store: h.store },
    subject(`alert-${number}`, { recordKey: recordKey(record) }),
  );
  await delivery.enqueue(
    createAlert({
      kind: "record.new",
      channel: CHANNEL,
      record,
      needsDecision: { approvalId: approval.id },
    }),
  );
  const posted = await eventually(
    () =>
      h.emu.inspect
        .messages(CHANNEL)
        .find((m) => m.text.includes(number) && textOf(m.blocks).includes("approval.approve")),
    10_000,
  );
  return { approval, record, ts: posted.ts };
}

/** The ERP changed the invoice: delivery edits the message from an alert without buttons. */
async function updateRecord(record: ReturnType<typeof invoice>, ts: string) {
  await delivery.enqueue(
    createAlert({
      kind: "record.updated",
      channel: CHANNEL,
      record: { ...record, dueDate: "2027-01-15" },
      changes: [{ field: "Due date", from: record.dueDate ?? "—", to: "2027-01-15" }],
    }),
  );
  // The edit is done when the new due date shows and its thread reply says so.
  await eventually(
    () =>
      textOf(message(ts)?.blocks).includes("2027-01-15") &&
      message(ts)?.replies.some((r) => r.text.includes("Due date")),
    10_000,
  );
  return message(ts);
}

const click = (user: string, ts: string, action: string) =>
  h.emu.platform.blockAction({
    userId: user,
    channelId: CHANNEL,
    messageTs: ts,
    action: { action_id: action },
  });

describe("decision stamps survive delivery's edits", () => {
  it("approve, then the record changes: the edit keeps who approved and shows no buttons", async () => {
    const { approval, record, ts } = await postInvoice("STAMP-1");
    // Delivery tells the approvals side where the buttons are, right after posting.
    await eventually(async () => (await h.store.get(approval.id))?.ts === ts);
    await click(APPROVER_1, ts, "approval.approve");
    await eventually(() => textOf(message(ts)?.blocks).includes("Approved"));

    const after = await updateRecord(record, ts);
    const blocks = textOf(after?.blocks);
    expect(blocks).toContain("2027-01-15");
    expect(blocks).toContain("Approved");
    expect(blocks).toContain(`<@${APPROVER_1}>`);
    expect(blocks).not.toContain("approval.approve");
    expect(after?.text).toContain("Approved by");
  });

  it("pending, then the record changes: the buttons stay, carrying the same approval", async () => {
    const { approval, record, ts } = await postInvoice("STAMP-2");
    const after = await updateRecord(record, ts);
    const blocks = textOf(after?.blocks);
    expect(blocks).toContain("2027-01-15");
    expect(blocks).toContain("approval.approve");
    expect(blocks).toContain(approval.id);
    expect((await h.store.get(approval.id))?.state).toBe("pending");
  });

  it("on hold, then the record changes: the hold line and the buttons stay", async () => {
    const { record, ts } = await postInvoice("STAMP-3");
    await click(APPROVER_1, ts, "approval.hold");
    await eventually(() => textOf(message(ts)?.blocks).includes("On hold"));
    const blocks = textOf((await updateRecord(record, ts))?.blocks);
    expect(blocks).toContain("On hold");
    expect(blocks).toContain("approval.approve");
  });
});

describe("a stamp is delivery's to guarantee", () => {
  const stamped = (ts: string) => {
    const blocks = textOf(message(ts)?.blocks);
    return blocks.includes("Approved") && !blocks.includes("approval.approve");
  };

  it("the click's chat.update fails: the message still ends stamped, without buttons", async () => {
    const { approval, ts } = await postInvoice("STAMP-FAIL");
    await eventually(async () => (await h.store.get(approval.id))?.ts === ts);
    // Slack answers the click's rewrite (and the client's one retry) with a 503.
    h.emu.control.addFault({ kind: "5xx", method: "chat.update", channel: CHANNEL, next: 2 });
    await click(APPROVER_1, ts, "approval.approve");
    await eventually(async () => (await h.store.get(approval.id))?.state === "approved");
    await eventually(() => stamped(ts), 10_000);
    expect(textOf(message(ts)?.blocks)).toContain(`<@${APPROVER_1}>`);
    expect(h.emu.control.listFaults()).toHaveLength(0);
  });

  it("a record edit racing the click: the message ends with both the new content and the stamp", async () => {
    const { approval, record, ts } = await postInvoice("STAMP-RACE");
    await eventually(async () => (await h.store.get(approval.id))?.ts === ts);
    // Delivery's edit (rendered while the approval is pending: buttons) reaches Slack 1.5 s
    // late; the click's rewrite, which read the old content, lands before it.
    h.emu.control.addFault({
      kind: "ambiguous",
      mode: "late",
      lateMs: 1500,
      method: "chat.update",
      channel: CHANNEL,
      next: 1,
    });
    await delivery.enqueue(
      createAlert({
        kind: "record.updated",
        channel: CHANNEL,
        record: { ...record, dueDate: "2027-02-20" },
        changes: [{ field: "Due date", from: record.dueDate ?? "—", to: "2027-02-20" }],
      }),
    );
    await eventually(() => h.emu.control.listFaults().length === 0, 10_000);
    await click(APPROVER_1, ts, "approval.approve");
    // The clicker sees the stamp at once (on the old content).
    await eventually(() => stamped(ts), 4_000);
    await eventually(
      () => stamped(ts) && textOf(message(ts)?.blocks).includes("2027-02-20"),
      10_000,
    );
    expect((await h.store.get(approval.id))?.state).toBe("approved");
  });

  it("decided while delivery's edit was under way (rendered pending, sent after): stamped by delivery's re-check", async () => {
    const { approval, record, ts } = await postInvoice("STAMP-RECHECK");
    await eventually(async () => (await h.store.get(approval.id))?.ts === ts);
    await eventually(drained, 10_000);
    // The approval is decided right after the edit's render looked it up, before its send: no
    // click, no refresh asked by anyone; the edit lands with the buttons of a pending approval.
    let decided = false;
    afterLookup = async (q) => {
      if (decided || q.ts !== ts) return;
      decided = true;
      const moved = await h.store.transition(approval.id, "approve", APPROVER_1);
      if (!moved.ok) throw new Error(moved.code);
    };
    try {
      await updateRecord(record, ts);
      await eventually(
        () => stamped(ts) && textOf(message(ts)?.blocks).includes("2027-01-15"),
        10_000,
      );
    } finally {
      afterLookup = undefined;
    }
    expect(decided).toBe(true);
  });

  it("decided in M3: delivery's render written at once, one chat.update and no history read", async () => {
    const { approval, ts } = await postInvoice("STAMP-M3-ONE");
    await eventually(async () => (await h.store.get(approval.id))?.ts === ts);
    // The post's job is over (its re-check of the approval included): only this change counts.
    await eventually(drained, 10_000);
    const moved = await h.store.transition(approval.id, "supersede", "system", "approved in M3");
    if (!moved.ok) throw new Error(moved.code);
    const count = (method: string) => h.emu.inspect.requests({ method }).length;
    const before = { update: count("chat.update"), history: count("conversations.history") };
    let keptAtRender: string[] | undefined;
    const onChanged = reflectedMessage(
      h.client,
      pino({ level: "silent" }),
      undefined,
      // As the scheduler wires it: the whole delivery (its render, and its refresh).
      messageRefresherVia(
        {
          refresh: (r) => delivery.refresh(r),
          renderNow: async (r) => {
            // The words are on the approval before anything writes the message (a re-check's
            // refresh racing this write renders them too).
            keptAtRender = (await h.store.get(approval.id))?.stamp;
            return delivery.renderNow(r);
          },
        },
        h.store,
      ),
    );
    await onChanged(moved.approval, {
      kind: "decided_in_erp",
      state: "approved",
      detail: "by M3 user APPR7",
    });
    await eventually(() => textOf(message(ts)?.blocks).includes("APPR7"), 10_000);
    // Written as delivery renders it now: no history read, and no refresh after it (the
    // message showed the latest version).
    expect(count("chat.update") - before.update).toBe(1);
    expect(count("conversations.history") - before.history).toBe(0);
    expect(textOf(message(ts)?.blocks)).not.toContain("approval.approve");
    expect(keptAtRender?.join(" ")).toContain("APPR7");
  });

  it("decided in M3 on a message the refresh declines: rewritten at once instead", async () => {
    const { approval, ts } = await postInvoice("STAMP-M3-DIRECT");
    await eventually(async () => (await h.store.get(approval.id))?.ts === ts);
    const moved = await h.store.transition(approval.id, "supersede", "system", "approved in M3");
    if (!moved.ok) throw new Error(moved.code);
    const asked: string[] = [];
    const onChanged = reflectedMessage(
      h.client,
      pino({ level: "silent" }),
      undefined,
      async (r) => {
        asked.push(r.ref.ts);
        return false;
      },
    );
    await onChanged(moved.approval, {
      kind: "decided_in_erp",
      state: "approved",
      detail: "by M3 user APPR8",
    });
    expect(asked).toEqual([ts]);
    expect(textOf(message(ts)?.blocks)).toContain("APPR8");
    expect(textOf(message(ts)?.blocks)).not.toContain("approval.approve");
  });

  it("escalated by the scheduler: the refresh alone adds the line and keeps the buttons", async () => {
    const { approval, ts } = await postInvoice("STAMP-ESC");
    await eventually(async () => (await h.store.get(approval.id))?.ts === ts);
    // The post's job is over (its re-check of the approval included): only this change counts.
    await eventually(drained, 10_000);
    const moved = await h.store.transition(approval.id, "escalate", "system");
    if (!moved.ok) throw new Error(moved.code);
    const count = (method: string) => h.emu.inspect.requests({ method }).length;
    const history = count("conversations.history");
    const notifier = createSlackApprovalNotifier({
      client: h.client,
      logger: pino({ level: "silent" }),
      messageRefresher: messageRefresherVia({ refresh: (r) => delivery.refresh(r) }, h.store),
    });
    await notifier.escalate(moved.approval);
    await eventually(() => textOf(message(ts)?.blocks).includes("Escalated"), 10_000);
    expect(textOf(message(ts)?.blocks)).toContain("approval.approve");
    expect(count("conversations.history") - history).toBe(0);
  });

  it("a click's stamp on a message the refresh declines: one read and one chat.update, not two", async () => {
    const { approval, ts } = await postInvoice("STAMP-DECLINED");
    await eventually(async () => (await h.store.get(approval.id))?.ts === ts);
    await eventually(drained, 10_000);
    const moved = await h.store.transition(approval.id, "approve", APPROVER_1);
    if (!moved.ok) throw new Error(moved.code);
    const count = (method: string) => h.emu.inspect.requests({ method }).length;
    const before = { update: count("chat.update"), history: count("conversations.history") };
    await updateApprovalMessage(
      h.client,
      pino({ level: "silent" }),
      { channel: CHANNEL, ts },
      moved.approval,
      `Approved by <@${APPROVER_1}>`,
      "final",
      [],
      { refresh: async () => false, clicker: APPROVER_1 },
    );
    expect(count("chat.update") - before.update).toBe(1);
    expect(count("conversations.history") - before.history).toBe(1);
    expect(stamped(ts)).toBe(true);
  });

  it("decided in M3, the reflected stamp's chat.update fails: stamped anyway, in the reflection's words", async () => {
    const { approval, record, ts } = await postInvoice("STAMP-M3");
    await eventually(async () => (await h.store.get(approval.id))?.ts === ts);
    const moved = await h.store.transition(approval.id, "supersede", "system", "approved in M3");
    if (!moved.ok) throw new Error(moved.code);
    h.emu.control.addFault({ kind: "5xx", method: "chat.update", channel: CHANNEL, next: 2 });
    const onChanged = reflectedMessage(
      h.client,
      pino({ level: "silent" }),
      undefined,
      messageRefresherVia({ refresh: (r) => delivery.refresh(r) }, h.store),
    );
    await onChanged(moved.approval, {
      kind: "decided_in_erp",
      state: "approved",
      detail: "by M3 user APPR9",
    });
    await eventually(() => {
      const blocks = textOf(message(ts)?.blocks);
      return (
        blocks.includes("approved in the ERP meanwhile") && !blocks.includes("approval.approve")
      );
    }, 10_000);
    expect(textOf(message(ts)?.blocks)).toContain("APPR9");
    // The record changes later: its edit says the same (the words are kept on the approval).
    const after = textOf((await updateRecord(record, ts))?.blocks);
    expect(after).toContain("2027-01-15");
    expect(after).toContain("approved in the ERP meanwhile (by M3 user APPR9)");
  });
});
