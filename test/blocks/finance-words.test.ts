import { describe, expect, it } from "vitest";
import { createAlert } from "../../src/alerts/alert.ts";
import {
  ALERT_HEADER_BLOCK,
  alertMessage,
  digestMessage,
  opsMessage,
  threadReplyMessage,
} from "../../src/slack/blocks/alert.ts";
import { withDecision } from "../../src/slack/blocks/decision.ts";
import { stampDecision } from "../../src/slack/views/approval-view.ts";
import type { SlackBlock } from "../../src/slack/views/types.ts";
import { invoice } from "./fixtures.ts";

// Issue 18: what a finance person reads on an exception, an update, an ops notice and a digest.
const at = new Date("2026-12-01T08:30:00Z");
const texts = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);

function variance(over: Record<string, unknown> = {}) {
  return createAlert({
    kind: "exception.opened",
    channel: "C1",
    costCenter: "CC200",
    record: invoice({
      invoiceNumber: "F1100031",
      supplierId: "3000001",
      supplierName: "Nordic Office Supply Ltd",
      total: { amount: "83659.92", currency: "EUR" },
    }),
    exception: {
      type: "price_variance",
      title: "Price variance",
      severity: "warning",
      summary: "Line 1: unit price 238.45 EUR vs PO 220.79 EUR",
      details: [
        { label: "Purchase order", value: "1000021 line 10" },
        { label: "Variance amount", value: "759.38 EUR" },
      ],
      amount: { amount: "759.38", currency: "EUR" },
    },
    ...over,
  });
}

describe("exception alerts name the document", () => {
  it("header, body and notification text carry the invoice number and the supplier", () => {
    const m = alertMessage(variance(), { at });
    const head = m.blocks[0] as { block_id?: string; text: { text: string } };
    expect(head.block_id).toBe(ALERT_HEADER_BLOCK);
    expect(head.text.text).toBe("⚠️ Price variance · Invoice F1100031");
    expect(texts(m)).toContain("Nordic Office Supply Ltd (3000001)");
    expect(m.text).toBe(
      "Price variance on invoice F1100031 from Nordic Office Supply Ltd: Line 1: unit price 238.45 EUR vs PO 220.79 EUR",
    );
  });

  it("shows one 'Amount' meaning: the invoice total as Total, the variance once, never two Amounts", () => {
    const m = alertMessage(variance(), { at });
    const body = texts(m);
    expect(body).not.toContain("*Amount*");
    expect(body).toContain("*Total*\\n83,659.92 EUR");
    expect(body.match(/759\.38 EUR/g)).toHaveLength(1);
    // Without a matching fact, the amount at stake is shown under its own name.
    const bare = variance();
    if (!bare.exception) throw new Error("fixture");
    const m2 = alertMessage({ ...bare, exception: { ...bare.exception, details: [] } }, { at });
    expect(texts(m2)).toContain("*At stake*\\n759.38 EUR");
  });

  it("names the rule in words: 'No purchase order', not 'No po'", () => {
    const m = alertMessage(
      variance({
        exception: {
          type: "no_po",
          title: "No purchase order",
          summary: "The invoice names no PO",
        },
      }),
      { at },
    );
    expect(texts(m)).toContain("No purchase order · Invoice F1100031");
    expect(texts(m)).not.toContain("No po");
  });
});

describe("the header follows the decision", () => {
  const headerOf = (blocks: unknown[]) => (blocks[0] as { text: { text: string } }).text.text;

  it("delivery's re-render and the click's stamp both restate it; pending keeps the warning", () => {
    const alert = variance({ needsDecision: { approvalId: "apr-1", allowHold: true } });
    const m = alertMessage(alert, { at });
    const approved = withDecision(m, alert, {
      approvalId: "apr-1",
      state: "approved",
      by: "U1",
      at: "2026-12-01T09:00:00Z",
    });
    expect(headerOf(approved.blocks)).toBe("✅ Approved: Price variance · Invoice F1100031");
    const pending = withDecision(m, alert, { approvalId: "apr-1", state: "pending" });
    expect(headerOf(pending.blocks)).toBe("⚠️ Price variance · Invoice F1100031");
    const held = withDecision(m, alert, { approvalId: "apr-1", state: "hold", by: "U1" });
    expect(headerOf(held.blocks)).toBe("⏸️ On hold: Price variance · Invoice F1100031");
    // The click path stamps what Slack sent back; a later state replaces the earlier word.
    const rejected = stampDecision(held.blocks as SlackBlock[], ["rejected"], "rejected");
    expect(headerOf(rejected)).toBe("❌ Rejected: Price variance · Invoice F1100031");
  });
});

describe("thread replies in a finance person's words", () => {
  it("says 'ERP status' with M3's labels and 'Line 10: invoiced … EA', not field paths", () => {
    const record = invoice({
      lines: [
        {
          line: 10,
          quantity: "170",
          unit: "EA",
          unitPrice: { amount: "10", currency: "EUR" },
          amount: { amount: "1700", currency: "EUR" },
        },
      ],
    });
    const reply = threadReplyMessage(
      createAlert({
        kind: "record.updated",
        channel: "C1",
        record,
        changes: [
          { field: "statusCode", from: "78", to: "50" },
          { field: "lines[10].invoicedQty", from: "150", to: "170" },
          { field: "total.amount", from: "1500.00 EUR", to: "1700.00 EUR" },
        ],
      }),
      at,
    );
    expect(reply.text).toBe(
      "Invoice INV-77 updated: ERP status: Invoice matching recoding failed → Approved; Line 10: invoiced 150 → 170 EA; Total: 1500.00 EUR → 1700.00 EUR",
    );
    expect(texts(reply)).not.toContain("statusCode");
    expect(texts(reply)).not.toContain("lines[10]");
  });
});

describe("ops notices and digests", () => {
  it("a failing poll is an ERP polling problem counted in attempts, not a delivery problem", () => {
    const m = opsMessage(
      { code: "poll_failing", message: "Polling failed 5 times", count: 5, examples: [] },
      at,
    );
    expect(m.text).toContain("ERP polling is failing");
    expect(texts(m)).not.toContain("Delivery problem");
    expect(texts(m)).toContain("*Failed attempts*\\n5");
    expect(texts(m)).not.toContain("Affected alerts");
    const dead = opsMessage(
      { code: "channel_not_found", message: "x", count: 1, examples: [] },
      at,
    );
    expect(dead.text).toContain("Delivery problem: channel_not_found");
  });

  it("a digest line shows its amount once", () => {
    const m = digestMessage(
      {
        of: "record.new",
        reason: "flood",
        items: [
          {
            alertId: "a1",
            recordKey: "k1",
            title: "New: Invoice 7 from Acme: 1,234.50 EUR",
            amount: { amount: "1234.50", currency: "EUR" },
          },
          {
            alertId: "a2",
            recordKey: "k2",
            title: "Payment 9 to Acme",
            amount: { amount: "10", currency: "EUR" },
          },
        ],
      },
      at,
    );
    const body = texts(m);
    expect(body.match(/1,234\.50 EUR/g)).toHaveLength(1);
    expect(body).toContain("Payment 9 to Acme · 10.00 EUR");
  });
});

describe("the deciders are asked on the message", () => {
  const asked = () =>
    variance({
      needsDecision: {
        approvalId: "apr-1",
        allowHold: true,
        ask: { users: ["U0APPR0001"], groups: ["S0APPROVER"] },
      },
    });

  it("mentions the eligible users and user groups above the buttons and in the notification", () => {
    const m = alertMessage(asked(), { at });
    const ask = m.blocks.find((b) => b.block_id === "approval.ask");
    expect(JSON.stringify(ask)).toContain("<@U0APPR0001>, <!subteam^S0APPROVER>");
    expect(m.blocks.indexOf(ask as never)).toBe(m.blocks.length - 2);
    expect(m.text).toContain("<@U0APPR0001>, <!subteam^S0APPROVER>");
    // Nothing to ask without ids that are Slack ids.
    const none = alertMessage(
      variance({ needsDecision: { approvalId: "a", ask: { users: ["bob"], groups: [] } } }),
      { at },
    );
    expect(none.blocks.some((b) => b.block_id === "approval.ask")).toBe(false);
  });

  it("keeps asking while open, stops once decided (delivery's re-render and the click's stamp)", () => {
    const alert = asked();
    const m = alertMessage(alert, { at });
    const has = (blocks: { block_id?: string }[]) =>
      blocks.some((b) => b.block_id === "approval.ask");
    expect(has(withDecision(m, alert, { approvalId: "apr-1", state: "pending" }).blocks)).toBe(
      true,
    );
    expect(
      has(withDecision(m, alert, { approvalId: "apr-1", state: "hold", by: "U1" }).blocks),
    ).toBe(true);
    expect(
      has(withDecision(m, alert, { approvalId: "apr-1", state: "approved", by: "U1" }).blocks),
    ).toBe(false);
    expect(has(stampDecision(m.blocks as SlackBlock[], ["approved"], "approved"))).toBe(false);
  });
});

describe("mention text", () => {
  it("keeps only valid Slack user and group ids", async () => {
    const { mentionText } = await import("../../src/slack/blocks/alert.ts");
    expect(mentionText({ users: ["U0APPR0001", "not-an-id"], groups: ["S0APPROVER"] })).toBe(
      "<@U0APPR0001>, <!subteam^S0APPROVER>",
    );
    expect(mentionText({ users: [], groups: [] })).toBeUndefined();
  });
});
