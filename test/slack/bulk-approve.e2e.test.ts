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
 * Bulk approve from App Home through Bolt with signed payloads: the ticked items each go through
 * the click's decision path at click time; approved, or refused with their own reason (outside
 * the bands, no longer pending, changed in the ERP); one summary for the clicker.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness("bulk-approve");
});
afterAll(async () => {
  await h?.close();
});

/** An alert entered by CLERK, posted with its buttons. */
const postAlert = (alertId: string, over: Parameters<typeof subject>[1] = {}) =>
  postApprovalAlert(h, subject(alertId, { enteredBySlackId: CLERK, ...over }));
const message = (ts: string) => h.emu.inspect.messages(CHANNEL).find((m) => m.ts === ts);

describe("bulk approve from App Home", () => {
  it("approves each ticked item or refuses it with its reason, one summary", async () => {
    const one = await postAlert("B-ONE");
    const two = await postAlert("B-TWO");
    const erp = await postAlert("B-ERP");
    const gone = await postAlert("B-GONE");
    const big = await postAlert("B-BIG", { amount: { amount: "25000.00", currency: "EUR" } });

    await h.emu.platform.appHomeOpened(APPROVER_1);
    const home = await eventually(() => {
      const v = h.emu.inspect.home(APPROVER_1);
      return v && textOf(v.blocks).includes("home.bulk_select") ? v : undefined;
    });
    const offered = textOf(home.blocks);
    for (const a of [one, two, erp, gone]) expect(offered).toContain(a.approval.id);
    // Above APPROVER_1's band: not offered (and refused below when the form is forged).
    expect(offered).not.toContain(big.approval.id);

    // Meanwhile: decided by someone else, and changed in the ERP.
    await h.emu.platform.blockAction({
      userId: APPROVER_2,
      channelId: CHANNEL,
      messageTs: gone.ts,
      action: { action_id: "approval.approve" },
    });
    await eventually(async () => (await h.store.get(gone.approval.id))?.state === "approved");
    h.recheck.byAlert["B-ERP"] = { changed: true, status: "changed", detail: "amount changed" };

    const ticked = [one, two, erp, gone, big].map((x) => ({
      text: { type: "plain_text", text: x.approval.title },
      value: x.approval.id,
    }));
    await h.emu.platform.blockAction({
      userId: APPROVER_1,
      viewId: home.id,
      action: { action_id: "home.bulk_approve", value: "bulk" },
      values: {
        "home.bulk": { "home.bulk_select": { type: "checkboxes", selected_options: ticked } },
      },
    });
    const summary = await eventually(() =>
      h.emu.inspect
        .views({ type: "modal", user: APPROVER_1 })
        .find((v) => textOf(v.blocks).includes("of 5 approved")),
    );
    const t = textOf(summary.blocks);
    expect(t).toContain("2 of 5 approved");
    expect(t).toMatch(/B-ONE[^"]*: approved/);
    expect(t).toMatch(/B-TWO[^"]*: approved/);
    expect(t).toMatch(/B-ERP[^"]*: not approved, This document was changed in the ERP/);
    expect(t).toMatch(/B-GONE[^"]*: no longer pending/);
    expect(t).toMatch(/B-BIG[^"]*: refused/);

    expect((await h.store.get(one.approval.id))?.decidedBy).toBe(APPROVER_1);
    expect((await h.store.get(two.approval.id))?.state).toBe("approved");
    expect((await h.store.get(erp.approval.id))?.state).toBe("superseded");
    expect((await h.store.get(gone.approval.id))?.decidedBy).toBe(APPROVER_2);
    expect((await h.store.get(big.approval.id))?.state).toBe("pending");
    // Each decided item's channel message is stamped as for a click.
    await eventually(() => textOf(message(one.ts)?.blocks).includes("Approved"));
    expect(textOf(message(one.ts)?.blocks)).not.toContain("approval.approve");
    expect(h.audit).toContainEqual(
      expect.objectContaining({
        type: "approval.refused",
        approvalId: big.approval.id,
        actor: APPROVER_1,
      }),
    );
    expect(
      h.audit.filter((e) => e.type === "approval.decided" && e.actor === APPROVER_1),
    ).toHaveLength(2);
  });

  it("nothing ticked: says so, decides nothing", async () => {
    const a = await postAlert("B-NONE-1");
    await postAlert("B-NONE-2");
    await h.emu.platform.appHomeOpened(APPROVER_2);
    const home = await eventually(() => {
      const v = h.emu.inspect.home(APPROVER_2);
      return v && textOf(v.blocks).includes(a.approval.id) ? v : undefined;
    });
    await h.emu.platform.blockAction({
      userId: APPROVER_2,
      viewId: home.id,
      action: { action_id: "home.bulk_approve", value: "bulk" },
    });
    await eventually(() =>
      h.emu.inspect
        .views({ type: "modal", user: APPROVER_2 })
        .find((v) => textOf(v.blocks).includes("Select at least one")),
    );
    expect((await h.store.get(a.approval.id))?.state).toBe("pending");
  });
});
