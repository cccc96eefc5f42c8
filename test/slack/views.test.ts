import { describe, expect, it } from "vitest";
import type { Approval } from "../../src/approvals/types.ts";
import { LIMITS } from "../../src/slack/blocks/limits.ts";
import {
  approvalButtons,
  decisionLine,
  stampDecision,
  stampHold,
} from "../../src/slack/views/approval-view.ts";
import { formatMoney } from "../../src/slack/views/format.ts";
import { glView } from "../../src/slack/views/gl-view.ts";
import { helpView } from "../../src/slack/views/help-view.ts";
import { homeView } from "../../src/slack/views/home-view.ts";
import { poView } from "../../src/slack/views/po-view.ts";
import { supplierView } from "../../src/slack/views/supplier-view.ts";
import { purchaseOrder, suppliers } from "./helpers/fixtures.ts";

const approval = (i: number): Approval => ({
  id: `apv_${i}`,
  alertId: `a${i}`,
  recordKey: `k${i}`,
  kind: "invoice",
  title: `Invoice ${i}`,
  amount: { amount: "10.5", currency: "EUR" },
  costCenter: "100",
  tenant: "T",
  company: "100",
  recordVersion: "v1",
  state: "pending",
  createdAt: "2026-12-01T08:00:00.000Z",
});

describe("format", () => {
  it.each([
    [{ amount: "1234567.5", currency: "EUR" }, "1,234,567.50 EUR"],
    [{ amount: "-0.1", currency: "USD" }, "-0.10 USD"],
    [{ amount: "12", currency: "SEK" }, "12.00 SEK"],
    [{ amount: "0.125", currency: "EUR" }, "0.125 EUR"],
  ])("formatMoney(%j) = %s", (m, out) => {
    expect(formatMoney(m)).toBe(out);
  });
});

describe("lookup views", () => {
  it("a PO with many lines stays inside Block Kit limits", () => {
    const [first] = purchaseOrder.lines;
    if (!first) throw new Error("fixture has lines");
    const many = {
      ...purchaseOrder,
      lines: Array.from({ length: 300 }, (_, i) => ({
        ...first,
        line: i + 1,
        description: "x".repeat(400),
      })),
    };
    const v = poView({ kind: "po", number: many.number, po: many, exceptions: [] });
    expect(v.blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    for (const b of v.blocks) {
      const text = (b.text as { text?: string } | undefined)?.text ?? "";
      expect(text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    }
    expect(JSON.stringify(v.blocks)).toContain("285 more lines");
  });

  it("escapes ERP text so it cannot ping a channel or break mrkdwn", () => {
    const v = poView({
      kind: "po",
      number: "1",
      po: { ...purchaseOrder, supplierName: "<!channel> & Co" },
      exceptions: [],
    });
    // plain_text (the header) is never parsed for mentions; every mrkdwn text must be escaped.
    const mrkdwn = JSON.stringify(v.blocks).match(/"type":"mrkdwn","text":"[^"]*"/g) ?? [];
    expect(mrkdwn.join()).not.toContain("<!channel>");
    expect(mrkdwn.join()).toContain("&lt;!channel&gt; &amp; Co");
  });

  it("supplier: several matches give a pick list with one button each", () => {
    const v = supplierView({ kind: "supplier", query: "acme", matches: suppliers.slice(0, 3) });
    const buttons = v.blocks.filter((b) => b.accessory);
    expect(buttons).toHaveLength(3);
    expect(JSON.stringify(buttons)).toContain("lookup.supplier.pick");
  });

  it("gl totals are exact per currency", () => {
    const line = (amount: string, currency = "EUR") => ({
      line: 1,
      account: "4010",
      dimensions: {},
      amount: { amount, currency },
    });
    const v = glView({
      kind: "gl",
      account: "4010",
      vouchers: [
        {
          entity: "gl_voucher",
          tenant: "T",
          company: "1",
          division: "",
          source: "m3",
          changedAt: "2026-11-01",
          voucher: "1",
          series: "",
          accountingDate: "2026-11-01",
          lines: [line("0.1"), line("0.2"), line("5", "USD")],
        },
      ],
    });
    expect(v.text).toContain("0.30 EUR");
    expect(v.text).toContain("5.00 USD");
  });

  it("help for one command shows its form and examples", () => {
    const v = helpView("gl", "`gl` needs more");
    expect(JSON.stringify(v.blocks)).toContain("/infor gl <account> [period as YYYY-MM]");
    expect(v.text).toBe("`gl` needs more");
  });
});

describe("approval views", () => {
  it("Approve asks for confirmation; Reject and Hold carry the approval id", () => {
    const b = approvalButtons("apv_1");
    const els = b.elements as { action_id: string; value: string; confirm?: unknown }[];
    expect(els.map((e) => e.action_id)).toEqual([
      "approval.approve",
      "approval.reject",
      "approval.hold",
      "approval.comment",
      "approval.ask_info",
    ]);
    expect(els[0]?.confirm).toBeDefined();
    expect(els.every((e) => e.value === "apv_1")).toBe(true);
  });

  it("a final stamp drops any approval actions block, a hold keeps it", () => {
    const original = [
      { type: "section", text: { type: "mrkdwn", text: "alert" } },
      {
        type: "actions",
        block_id: "approval",
        elements: [{ type: "button", action_id: "approval.approve" }],
      },
      { type: "actions", block_id: "links", elements: [{ type: "button", action_id: "open.erp" }] },
    ];
    const line = decisionLine({ state: "approved", by: "U1", at: "2026-12-01T09:14:00Z" });
    expect(line).toBe(
      `:white_check_mark: *Approved* by <@U1> at <!date^${Date.parse("2026-12-01T09:14:00Z") / 1000}^{date_num} {time}|2026-12-01 09:14 UTC>`,
    );
    const final = stampDecision(original, [line]);
    expect(JSON.stringify(final)).not.toContain("approval.approve");
    expect(JSON.stringify(final)).toContain("open.erp");
    const held = stampHold(original, "held");
    expect(JSON.stringify(held)).toContain("approval.approve");
    // Re-stamping replaces the earlier stamp instead of piling lines up.
    expect(
      stampHold(held, "held again").filter((b) => b.block_id === "approval.stamp"),
    ).toHaveLength(1);
  });

  it("App Home caps pending items within the 100-block limit", () => {
    const v = homeView({
      userId: "U1",
      pending: Array.from({ length: 80 }, (_, i) => approval(i)),
      recent: [],
      health: [],
      now: Date.parse("2026-12-01T10:00:00Z"),
    });
    expect(v.blocks.length).toBeLessThanOrEqual(LIMITS.surfaceBlocks);
    expect(JSON.stringify(v.blocks)).toContain("60 more waiting");
  });
});
