import { describe, expect, it } from "vitest";
import { createAlert } from "../../src/alerts/alert.ts";
import { alertMessage } from "../../src/slack/blocks/alert.ts";
import { withDecision } from "../../src/slack/blocks/decision.ts";
import { checkMessage } from "../../src/slack/blocks/limits.ts";
import { invoice } from "./fixtures.ts";

const at = new Date("2026-12-01T08:30:00Z");

function exception(kind: "exception.opened" | "exception.resolved", approvalId?: string) {
  return createAlert({
    kind,
    channel: "C1",
    record: invoice(),
    recordKey: "supplier_invoice:x#missing_receipt:1",
    contentVersion: kind === "exception.resolved" ? "o1.resolved" : "o1.u0.abc",
    exception: { type: "missing_receipt", summary: "Line 1: no receipt" },
    ...(approvalId ? { needsDecision: { approvalId } } : {}),
  });
}

const render = (a: ReturnType<typeof exception>, d: Parameters<typeof withDecision>[2]) => {
  const m = withDecision(alertMessage(a, { at }), a, d);
  expect(checkMessage(m)).toEqual([]);
  return { m, json: JSON.stringify(m.blocks) };
};

describe("withDecision", () => {
  it("a resolved exception never offers buttons, even while its approval is still pending", () => {
    const { json } = render(exception("exception.resolved"), {
      approvalId: "apv_1",
      state: "pending",
    });
    expect(json).not.toContain("approval.approve");
  });

  it("a resolved exception keeps a real decision, but not the pipeline's superseding", () => {
    const approved = render(exception("exception.resolved"), {
      approvalId: "apv_1",
      state: "approved",
      by: "U0APPR0001",
      at: "2026-12-01T09:00:00Z",
    });
    expect(approved.json).toContain("Approved");
    expect(approved.json).toContain("<@U0APPR0001>");
    const superseded = render(exception("exception.resolved"), {
      approvalId: "apv_1",
      state: "superseded",
      by: "system",
    });
    expect(superseded.json).not.toContain("approval.stamp");
  });

  it("an escalated approval keeps its line above the buttons", () => {
    const { json } = render(exception("exception.opened", "apv_3"), {
      approvalId: "apv_3",
      state: "escalated",
      at: "2026-12-02T08:30:00Z",
    });
    expect(json.indexOf("Escalated")).toBeGreaterThan(-1);
    expect(json.indexOf("Escalated")).toBeLessThan(json.indexOf("approval.approve"));
  });

  it("a rejection keeps its reason and drops the buttons the new alert brought", () => {
    const { m, json } = render(exception("exception.opened", "apv_2"), {
      approvalId: "apv_2",
      state: "rejected",
      by: "U0APPR0002",
      reason: "wrong PO",
    });
    expect(json).not.toContain("approval.approve");
    expect(json).toContain("reason: wrong PO");
    expect(m.text).toContain("Rejected by");
  });

  it("a changed exception with a new pending approval shows its buttons, not the old stamp", () => {
    const { json } = render(exception("exception.opened", "apv_new"), {
      approvalId: "apv_new",
      state: "pending",
    });
    expect(json).toContain("apv_new");
    expect(json.match(/approval\.approve/g)).toHaveLength(1);
    expect(json).not.toContain("approval.stamp");
  });
});
