import { describe, expect, it } from "vitest";
import { createAlert } from "../../src/alerts/alert.ts";
import { APPROVAL_ACTIONS, alertMessage } from "../../src/slack/blocks/alert.ts";
import { checkMessage, LIMITS } from "../../src/slack/blocks/limits.ts";
import type { ActionsBlock } from "../../src/slack/blocks/types.ts";
import { invoice } from "./fixtures.ts";

const at = new Date("2026-12-01T08:30:00Z");

function actionsOf(alert: Parameters<typeof alertMessage>[0]): ActionsBlock {
  const m = alertMessage(alert, { at });
  expect(checkMessage(m)).toEqual([]);
  const block = m.blocks.find((b) => b.type === "actions");
  if (block?.type !== "actions") throw new Error("no actions block");
  return block;
}

describe("approval buttons on alerts", () => {
  it("Approve asks for confirmation naming the invoice, supplier and amount", () => {
    const block = actionsOf(
      createAlert({
        kind: "record.new",
        channel: "C1",
        record: invoice(),
        needsDecision: { approvalId: "apv_1" },
      }),
    );
    const approve = block.elements.find((e) => e.action_id === APPROVAL_ACTIONS.approve);
    expect(approve?.confirm?.title.text).toBe("Approve?");
    expect(approve?.confirm?.confirm.text).toBe("Approve");
    expect(approve?.confirm?.deny.text).toBe("Cancel");
    expect(approve?.confirm?.text.text).toContain("invoice INV-77");
    expect(approve?.confirm?.text.text).toContain("Nordic Paper AB (S1001)");
    expect(approve?.confirm?.text.text).toContain("12,345.60 EUR");
    // Reject opens a modal with a reason; it needs no dialog of its own.
    const reject = block.elements.find((e) => e.action_id === APPROVAL_ACTIONS.reject);
    expect(reject?.confirm).toBeUndefined();
  });

  it("an exception's dialog names the exception and the amount at stake", () => {
    const block = actionsOf(
      createAlert({
        kind: "exception.opened",
        channel: "C1",
        record: invoice(),
        exception: {
          type: "price_variance",
          summary: "Line 3: unit price 12.40 EUR vs PO 11.90 EUR",
          amount: { amount: "25", currency: "EUR" },
        },
        needsDecision: { approvalId: "apv_2", allowHold: false },
      }),
    );
    const text = block.elements[0]?.confirm?.text.text ?? "";
    expect(text).toContain("price variance (25.00 EUR at stake) on invoice INV-77");
    expect(block.elements.map((e) => e.action_id)).toEqual([
      APPROVAL_ACTIONS.approve,
      APPROVAL_ACTIONS.reject,
      APPROVAL_ACTIONS.comment,
      APPROVAL_ACTIONS.askInfo,
    ]);
  });

  it("a huge supplier name keeps the dialog within Block Kit limits", () => {
    const block = actionsOf(
      createAlert({
        kind: "record.new",
        channel: "C1",
        record: invoice({ supplierName: "N".repeat(5000) }),
        needsDecision: { approvalId: "apv_3" },
      }),
    );
    const text = block.elements[0]?.confirm?.text.text ?? "";
    expect(Array.from(text).length).toBeLessThanOrEqual(LIMITS.confirmText);
  });

  it("offers Comment beside Approve / Reject / Hold, all carrying only the approval id", () => {
    const block = actionsOf(
      createAlert({
        kind: "record.new",
        channel: "C1",
        record: invoice(),
        needsDecision: { approvalId: "apv_4" },
      }),
    );
    expect(block.elements.map((e) => [e.action_id, e.value])).toEqual([
      [APPROVAL_ACTIONS.approve, "apv_4"],
      [APPROVAL_ACTIONS.reject, "apv_4"],
      [APPROVAL_ACTIONS.hold, "apv_4"],
      [APPROVAL_ACTIONS.comment, "apv_4"],
      [APPROVAL_ACTIONS.askInfo, "apv_4"],
    ]);
  });
});
