import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

/**
 * Request info / send back through Bolt with signed payloads: an approver asks the requester a
 * question (info_requested), the answer hands it back (pending), then it is decided; refusals
 * for someone outside the bands, a decided document and a document the ERP changed meanwhile.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness("approval-info");
});
afterAll(async () => {
  await h?.close();
});

const OUTSIDER = "U0OUTSIDE1";

/** An alert entered by CLERK, posted with its buttons. */
const postAlert = (alertId: string, over: Parameters<typeof subject>[1] = {}) =>
  postApprovalAlert(h, subject(alertId, { enteredBySlackId: CLERK, ...over }));

const click = (user: string, ts: string, action: string) =>
  h.emu.platform.blockAction({
    userId: user,
    channelId: CHANNEL,
    messageTs: ts,
    action: { action_id: action },
  });
const message = (ts: string) => h.emu.inspect.messages(CHANNEL).find((m) => m.ts === ts);
const modal = (user: string, callback: string, approvalId: string) =>
  eventually(() =>
    h.emu.inspect
      .views({ type: "modal", user })
      .find((v) => v.callback_id === callback && v.private_metadata.includes(approvalId)),
  );
const question = (whom: string, text: string) => ({
  whom: { whom_input: { type: "users_select", selected_user: whom } },
  text: { text_input: { type: "plain_text_input", value: text } },
});
const answer = (text: string) => ({
  text: { text_input: { type: "plain_text_input", value: text } },
});

async function ask(user: string, ts: string, approvalId: string, whom: string, text: string) {
  await click(user, ts, "approval.ask_info");
  const view = await modal(user, "approval.ask_info_modal", approvalId);
  return {
    view,
    res: await h.emu.platform.viewSubmission({
      userId: user,
      viewId: view.id,
      values: question(whom, text),
    }),
  };
}

describe("request info / send back", () => {
  it("asks the requester in the thread, waits in info_requested, the answer returns it to pending", async () => {
    const { approval, ts } = await postAlert("I-ASK");
    // A second approver opens the question form too, and submits it after the first question.
    await click(APPROVER_2, ts, "approval.ask_info");
    const second = await modal(APPROVER_2, "approval.ask_info_modal", approval.id);
    const { view } = await ask(APPROVER_1, ts, approval.id, CLERK, "Is the <freight> included?");
    // The requester is preselected as the person to ask.
    expect(textOf(view.blocks)).toContain(`"initial_user":"${CLERK}"`);
    const waiting = await eventually(async () => {
      const a = await h.store.get(approval.id);
      return a?.state === "info_requested" ? a : undefined;
    });
    expect(waiting.info).toMatchObject({ asked: CLERK, by: APPROVER_1 });
    expect(waiting.info?.question).toBe("Is the <freight> included?");
    // Ask… became Answer…; approve and reject stay.
    const m = await eventually(() => {
      const msg = message(ts);
      return textOf(msg?.blocks).includes("approval.answer_info") ? msg : undefined;
    });
    expect(textOf(m?.blocks)).not.toContain("approval.ask_info");
    expect(textOf(m?.blocks)).toContain("approval.approve");
    expect(textOf(m?.blocks)).toContain("Waiting for information");
    const asked = await eventually(() =>
      message(ts)?.replies.find((r) => r.text.includes("&lt;freight&gt;")),
    );
    expect(asked.text).toContain(`<@${CLERK}>`);
    expect(h.audit).toContainEqual(
      expect.objectContaining({
        type: "approval.info_requested",
        approvalId: approval.id,
        actor: APPROVER_1,
        asked: CLERK,
        state: "info_requested",
      }),
    );

    // A second question while one is open is refused; someone not asked and not an approver
    // may not answer (audited).
    const again = await h.emu.platform.viewSubmission({
      userId: APPROVER_2,
      viewId: second.id,
      values: question(CLERK, "And the VAT?"),
    });
    expect(JSON.stringify(again.json)).toContain("already open");
    await click(OUTSIDER, ts, "approval.answer_info");
    await eventually(() =>
      h.audit.find(
        (e) =>
          e.type === "approval.refused" &&
          "code" in e &&
          e.code === "not_asked" &&
          "actor" in e &&
          e.actor === OUTSIDER,
      ),
    );
    expect(h.emu.inspect.views({ type: "modal", user: OUTSIDER })).toHaveLength(0);
    expect(h.audit.filter((e) => e.type === "approval.info_requested")).toHaveLength(1);

    // The requester answers through Answer…: back to pending, the asker is mentioned.
    await click(CLERK, ts, "approval.answer_info");
    const form = await modal(CLERK, "approval.answer_info_modal", approval.id);
    const empty = await h.emu.platform.viewSubmission({
      userId: CLERK,
      viewId: form.id,
      values: answer(" "),
    });
    expect(empty.json).toMatchObject({ response_action: "errors" });
    await h.emu.platform.viewSubmission({
      userId: CLERK,
      viewId: form.id,
      values: answer("Yes, 120 EUR freight"),
    });
    const back = await eventually(async () => {
      const a = await h.store.get(approval.id);
      return a?.state === "pending" ? a : undefined;
    });
    expect(back.info).toBeUndefined();
    const reply = await eventually(() =>
      message(ts)?.replies.find((r) => r.text.includes("120 EUR freight")),
    );
    expect(reply.text).toContain(`<@${APPROVER_1}>`);
    await eventually(() => textOf(message(ts)?.blocks).includes("approval.ask_info"));
    expect(textOf(message(ts)?.blocks)).not.toContain("approval.answer_info");
    expect(h.audit).toContainEqual(
      expect.objectContaining({
        type: "approval.info_answered",
        approvalId: approval.id,
        actor: CLERK,
        comment: "Yes, 120 EUR freight",
        state: "pending",
      }),
    );

    // Decided as usual afterwards.
    await click(APPROVER_1, ts, "approval.approve");
    await eventually(async () => (await h.store.get(approval.id))?.state === "approved");
  });

  it("refuses an approver outside the bands (audited), nothing moves", async () => {
    const { approval, ts } = await postAlert("I-BIG", {
      amount: { amount: "25000.00", currency: "EUR" },
    });
    await click(APPROVER_1, ts, "approval.ask_info");
    await eventually(() =>
      h.audit.find(
        (e) => e.type === "approval.refused" && "approvalId" in e && e.approvalId === approval.id,
      ),
    );
    expect(
      h.emu.inspect
        .views({ type: "modal", user: APPROVER_1 })
        .filter((v) => v.private_metadata.includes(approval.id)),
    ).toHaveLength(0);
    expect((await h.store.get(approval.id))?.state).toBe("pending");
    // The admin's band covers it.
    await ask(ADMIN, ts, approval.id, CLERK, "Which project?");
    await eventually(async () => (await h.store.get(approval.id))?.state === "info_requested");
  });

  it("refuses a question on a document no longer pending, also from a modal left open", async () => {
    const { approval, ts } = await postAlert("I-LATE");
    await click(APPROVER_1, ts, "approval.ask_info");
    const view = await modal(APPROVER_1, "approval.ask_info_modal", approval.id);
    // Someone approves while the form is open.
    await click(APPROVER_2, ts, "approval.approve");
    await eventually(async () => (await h.store.get(approval.id))?.state === "approved");
    const late = await h.emu.platform.viewSubmission({
      userId: APPROVER_1,
      viewId: view.id,
      values: question(CLERK, "Too late?"),
    });
    expect(late.json).toMatchObject({ response_action: "errors" });
    expect(JSON.stringify(late.json)).toContain("no longer pending");
    expect((await h.store.get(approval.id))?.state).toBe("approved");
    expect(
      h.audit.filter((e) => e.type === "approval.info_requested" && e.approvalId === approval.id),
    ).toHaveLength(0);
  });

  it("a document changed in the ERP while it waits is closed at the next decision, not approved", async () => {
    const { approval, ts } = await postAlert("I-ERP");
    await ask(APPROVER_1, ts, approval.id, CLERK, "Quantity right?");
    await eventually(async () => (await h.store.get(approval.id))?.state === "info_requested");
    h.recheck.next = { changed: true, status: "changed", detail: "amount now 5,100.00 EUR" };
    try {
      await click(APPROVER_1, ts, "approval.approve");
      await eventually(async () => (await h.store.get(approval.id))?.state === "superseded");
      await eventually(() => textOf(message(ts)?.blocks).includes("changed in the ERP"));
      expect(textOf(message(ts)?.blocks)).not.toContain("approval.answer_info");
    } finally {
      h.recheck.next = { changed: false };
    }
  });
});
