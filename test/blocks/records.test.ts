import { describe, expect, it } from "vitest";
import { createAlert } from "../../src/alerts/alert.ts";
import {
  APPROVAL_ACTIONS,
  alertMessage,
  changeReplyMessage,
  digestMessage,
  totalsByCurrency,
} from "../../src/slack/blocks/alert.ts";
import { recordLink } from "../../src/slack/blocks/format.ts";
import { checkMessage, LIMITS } from "../../src/slack/blocks/limits.ts";
import { recordMessage } from "../../src/slack/blocks/records.ts";
import { invoice, purchaseOrder } from "./fixtures.ts";

const at = new Date("2026-12-01T08:30:00Z");
const links = {
  supplier_invoice: "https://mingle.example/m3/APS200?cono={company}&divi={division}&id={id}",
  purchase_order: "https://mingle.example/m3/PPS200?cono={company}&puno={id}",
};

describe("record summaries", () => {
  it.each([
    [
      "invoice",
      invoice(),
      ["Invoice INV-77", "12,345.60 EUR", "Nordic Paper AB (S1001)", "CC-410", "Infor M3"],
    ],
    ["PO", purchaseOrder(2), ["PO 4500123", "99.50 SEK", "SyteLine", "Item 2"]],
    [
      "credit note",
      invoice({ credit: true, total: { amount: "-50", currency: "JPY" } }),
      ["Credit note", "-50 JPY"],
    ],
  ] as const)(
    "%s shows header, key fields, amount with currency, context",
    (_n, record, expected) => {
      const m = recordMessage(record, { at, links });
      const json = JSON.stringify(m);
      for (const e of expected) expect(json).toContain(e);
      expect(m.blocks[0]?.type).toBe("header");
      expect(m.blocks.at(-1)?.type).toBe("context");
      expect(m.text.length).toBeGreaterThan(0);
      expect(checkMessage(m)).toEqual([]);
    },
  );

  it("links to the record through the per-entity template, URL-encoding values", () => {
    const inv = invoice({ supplierId: "S 1&2" });
    expect(recordLink(inv, links)).toBe(
      "https://mingle.example/m3/APS200?cono=100&divi=AAA&id=S%201%262%2FINV-77",
    );
    expect(JSON.stringify(recordMessage(inv, { at, links }))).toContain("Open Invoice INV-77");
    expect(recordLink(inv, {})).toBeUndefined();
  });

  it("escapes mrkdwn control characters in names", () => {
    const m = recordMessage(invoice({ supplierName: "<!channel> & Co" }), { at });
    expect(JSON.stringify(m)).toContain("&lt;!channel&gt; &amp; Co");
    expect(JSON.stringify(m)).not.toContain("<!channel>");
  });

  it("a very long supplier name and 200 lines stay inside Block Kit limits with 'and N more'", () => {
    const po = purchaseOrder(200, { supplierName: "N".repeat(5000), number: "P".repeat(400) });
    const m = recordMessage(po, { at });
    expect(checkMessage(m)).toEqual([]);
    expect(JSON.stringify(m)).toContain("and 185 more lines");
  });
});

describe("alert messages", () => {
  it("adds approval buttons carrying only the opaque approval id", () => {
    const alert = createAlert({
      kind: "record.new",
      channel: "C1",
      record: invoice(),
      needsDecision: { approvalId: "apr_123" },
    });
    const m = alertMessage(alert, { at });
    const actions = m.blocks.find((b) => b.type === "actions");
    expect(
      actions?.type === "actions" && actions.elements.map((e) => [e.action_id, e.value]),
    ).toEqual([
      [APPROVAL_ACTIONS.approve, "apr_123"],
      [APPROVAL_ACTIONS.reject, "apr_123"],
      [APPROVAL_ACTIONS.hold, "apr_123"],
      [APPROVAL_ACTIONS.comment, "apr_123"],
      [APPROVAL_ACTIONS.askInfo, "apr_123"],
    ]);
  });

  it("renders exceptions with severity, summary and the record", () => {
    const alert = createAlert({
      kind: "exception.opened",
      channel: "C1",
      record: invoice(),
      exception: {
        type: "price_variance",
        severity: "critical",
        summary: "Price 12% over PO",
        details: [{ label: "PO price", value: "10.00 EUR" }],
      },
    });
    const m = alertMessage(alert, { at });
    expect(m.text).toContain("Price variance");
    expect(JSON.stringify(m)).toContain("Price 12% over PO");
    expect(checkMessage(m)).toEqual([]);
  });

  it("thread reply says what changed", () => {
    const m = changeReplyMessage([{ field: "Amount", from: "10.00 EUR", to: "12.00 EUR" }], at);
    expect(m.text).toBe("Updated: Amount: 10.00 EUR → 12.00 EUR");
    expect(JSON.stringify(m)).toContain("10.00 EUR → 12.00 EUR");
  });
});

describe("digests", () => {
  it("totals per currency exactly, never across currencies", () => {
    expect(
      totalsByCurrency([
        { amount: "0.1", currency: "EUR" },
        { amount: "0.2", currency: "EUR" },
        { amount: "5", currency: "USD" },
      ]),
    ).toEqual([
      { amount: "0.3", currency: "EUR" },
      { amount: "5", currency: "USD" },
    ]);
  });

  it.each([3, 200, 2000])("%i items: count, totals and a line per record, within limits", (n) => {
    const items = Array.from({ length: n }, (_, i) => ({
      alertId: `a${i}`,
      recordKey: `k${i}`,
      title: `Invoice ${i} from a supplier with a long name`,
      amount: { amount: "1.10", currency: "EUR" },
      link: `https://mingle.example/x?id=${i}`,
    }));
    const m = digestMessage({ of: "record.new", reason: "flood", items }, at);
    expect(checkMessage(m)).toEqual([]);
    expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    const json = JSON.stringify(m);
    expect(json).toContain(`${n} new records`);
    expect(m.text).toContain(`${(n * 1.1).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",")} EUR`);
    if (n === 2000) expect(json).toMatch(/and \d+ more/);
    else expect(json).toContain(`Invoice ${n - 1} from`);
  });
});
