import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
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
 * Delegation / out-of-office through Bolt with signed payloads: APPROVER_1 names a delegate for a
 * period from App Home; the delegate decides within APPROVER_1's bands (never above them, never
 * what the delegate entered), "on behalf of" in the stamp and the audit log; a decided document
 * and one the ERP changed are refused; an ended delegation lends nothing.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness("delegation");
});
afterAll(async () => {
  await h?.close();
});

/** A clerk who covers for the approver (a seeded user with no bands of their own). */
const DELEGATE = "U0CLERK002";
const day = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** An alert entered by CLERK, posted with its buttons. */
const postAlert = (alertId: string, over: Parameters<typeof subject>[1] = {}) =>
  postApprovalAlert(h, subject(alertId, { enteredBySlackId: CLERK, ...over }));
const approve = (user: string, ts: string) =>
  h.emu.platform.blockAction({
    userId: user,
    channelId: CHANNEL,
    messageTs: ts,
    action: { action_id: "approval.approve" },
  });
const message = (ts: string) => h.emu.inspect.messages(CHANNEL).find((m) => m.ts === ts);
const refusedFor = (approvalId: string, actor: string) =>
  h.audit.filter(
    (e) =>
      e.type === "approval.refused" &&
      "approvalId" in e &&
      e.approvalId === approvalId &&
      "actor" in e &&
      e.actor === actor,
  );
const dates = (from: string, until: string) => ({
  delegate: { delegate_input: { type: "users_select", selected_user: DELEGATE } },
  from: { from_input: { type: "datepicker", selected_date: from } },
  until: { until_input: { type: "datepicker", selected_date: until } },
});

async function homeOf(user: string, needle: string) {
  await h.emu.platform.appHomeOpened(user);
  return eventually(() => {
    const v = h.emu.inspect.home(user);
    return v && textOf(v.blocks).includes(needle) ? v : undefined;
  });
}

describe("delegation and out-of-office", () => {
  it("a delegate decides within the approver's bands, on their behalf; refusals audited", async () => {
    const { approval: first, ts: firstTs } = await postAlert("D-FIRST");
    // Before any delegation the delegate may decide nothing.
    const before = await postAlert("D-BEFORE");
    await approve(DELEGATE, before.ts);
    await eventually(() => refusedFor(before.approval.id, DELEGATE).length === 1);
    expect((await h.store.get(before.approval.id))?.state).toBe("pending");

    // APPROVER_1 names the delegate from App Home.
    const home = await homeOf(APPROVER_1, "Name a delegate");
    expect(textOf(home.blocks)).toContain(first.id);
    await h.emu.platform.blockAction({
      userId: APPROVER_1,
      viewId: home.id,
      action: { action_id: "home.delegate", value: "set" },
    });
    const modal = await eventually(() =>
      h.emu.inspect
        .views({ type: "modal", user: APPROVER_1 })
        .find((v) => v.callback_id === "home.delegate_modal"),
    );
    const backwards = await h.emu.platform.viewSubmission({
      userId: APPROVER_1,
      viewId: modal.id,
      values: dates(day(1), day(-1)),
    });
    expect(backwards.json).toMatchObject({ response_action: "errors" });
    await h.emu.platform.viewSubmission({
      userId: APPROVER_1,
      viewId: modal.id,
      values: dates(day(0), day(2)),
    });
    await eventually(() =>
      h.audit.find((e) => e.type === "approval.delegated" && e.actor === APPROVER_1),
    );
    await homeOf(APPROVER_1, `decides for you`);

    // Within APPROVER_1's band: decided, stamped and audited on their behalf.
    await approve(DELEGATE, before.ts);
    await eventually(async () => (await h.store.get(before.approval.id))?.state === "approved");
    const stamped = await eventually(() => {
      const t = textOf(message(before.ts)?.blocks);
      return t.includes("on behalf of") ? t : undefined;
    });
    expect(stamped).toContain(`<@${DELEGATE}> on behalf of <@${APPROVER_1}>`);
    expect(h.audit).toContainEqual(
      expect.objectContaining({
        type: "approval.decided",
        approvalId: before.approval.id,
        actor: DELEGATE,
        onBehalfOf: APPROVER_1,
        state: "approved",
      }),
    );
    // The delegate's App Home lists what they may now decide.
    await homeOf(DELEGATE, first.id);

    // Above APPROVER_1's band (10,000 EUR): refused.
    const big = await postAlert("D-BIG", { amount: { amount: "25000.00", currency: "EUR" } });
    await approve(DELEGATE, big.ts);
    await eventually(() => refusedFor(big.approval.id, DELEGATE).length === 1);
    expect((await h.store.get(big.approval.id))?.state).toBe("pending");

    // Entered by the delegate: never theirs to approve, whoever lends the bands.
    const own = await postAlert("D-OWN", { enteredBySlackId: DELEGATE });
    await approve(DELEGATE, own.ts);
    await eventually(() => refusedFor(own.approval.id, DELEGATE).length === 1);
    expect((await h.store.get(own.approval.id))?.state).toBe("pending");

    // No longer pending: decided by APPROVER_2 while the delegate's Home still showed it.
    const dHome = await homeOf(DELEGATE, first.id);
    await approve(APPROVER_2, firstTs);
    await eventually(async () => (await h.store.get(first.id))?.state === "approved");
    await h.emu.platform.blockAction({
      userId: DELEGATE,
      viewId: dHome.id,
      action: { action_id: "approval.approve", value: first.id },
    });
    await new Promise((r) => setTimeout(r, 200));
    const afterStale = await h.store.get(first.id);
    expect(afterStale?.decidedBy).toBe(APPROVER_2);
    expect(
      h.audit.filter(
        (e) => e.type === "approval.decided" && e.approvalId === first.id && e.actor === DELEGATE,
      ),
    ).toHaveLength(0);

    // ERP changed since the alert: closed, not approved.
    const moved = await postAlert("D-ERP");
    h.recheck.next = { changed: true, status: "changed", detail: "amount changed" };
    try {
      await approve(DELEGATE, moved.ts);
      await eventually(async () => (await h.store.get(moved.approval.id))?.state === "superseded");
    } finally {
      h.recheck.next = { changed: false };
    }

    // Ended from App Home: the bands are no longer lent.
    const ownerHome = await homeOf(APPROVER_1, "End delegation");
    await h.emu.platform.blockAction({
      userId: APPROVER_1,
      viewId: ownerHome.id,
      action: { action_id: "home.delegate_clear", value: "clear" },
    });
    await homeOf(APPROVER_1, "nobody decides for you");
    const late = await postAlert("D-LATE");
    await approve(DELEGATE, late.ts);
    await eventually(() => refusedFor(late.approval.id, DELEGATE).length === 1);
    expect((await h.store.get(late.approval.id))?.state).toBe("pending");
  });
});
