import { describe, expect, it } from "vitest";
import { createAlert } from "../../src/alerts/alert.ts";
import {
  alertMessage,
  changeReplyMessage,
  threadReplyMessage,
} from "../../src/slack/blocks/alert.ts";
import { invoice } from "./fixtures.ts";

const at = new Date("2026-12-01T08:30:00Z");
const REASON = "receipt 5000029 arrived for line 1 (10 of 10 received)";

function resolved() {
  return createAlert({
    kind: "exception.resolved",
    channel: "C1",
    record: invoice(),
    recordKey: "supplier_invoice:x#missing_receipt:1",
    contentVersion: "o1.resolved",
    exception: {
      type: "missing_receipt",
      summary: "Line 1: invoiced 10 PCS, no receipt",
      details: [{ label: "Resolved", value: REASON }],
    },
    changes: [{ field: "Status", from: "open", to: `resolved: ${REASON}` }],
  });
}

describe("notification text (the `text` fallback) says what happened", () => {
  it("a resolved exception's thread reply carries the reason, not the field name", () => {
    expect(threadReplyMessage(resolved(), at).text).toBe(`Resolved: ${REASON}`);
  });

  it("the edited message of a resolved exception says why, not the stale cause", () => {
    const m = alertMessage(resolved(), { at });
    expect(m.text).toBe(
      `Resolved: Missing receipt on invoice INV-77 from Nordic Paper AB: ${REASON}`,
    );
  });

  it("a resolved alert with only the Status change still gives the reason", () => {
    const a = resolved();
    if (!a.exception) throw new Error("fixture has an exception");
    const bare = { ...a, exception: { ...a.exception, details: [] } };
    expect(threadReplyMessage(bare, at).text).toBe(`Resolved: ${REASON}`);
  });

  it("an update's thread reply spells out each change with its values", () => {
    const updated = createAlert({
      kind: "exception.opened",
      channel: "C1",
      record: invoice(),
      exception: { type: "price_variance", summary: "Line 3: unit price 12.40 EUR" },
      changes: [
        { field: "Cause", from: "12.40 EUR vs 11.90 EUR", to: "12.60 EUR vs 11.90 EUR" },
        { field: "Amount at stake", from: "5.00 EUR", to: "7.00 EUR" },
      ],
    });
    expect(threadReplyMessage(updated, at).text).toBe(
      "Invoice INV-77 updated: Cause: 12.40 EUR vs 11.90 EUR → 12.60 EUR vs 11.90 EUR; Amount at stake: 5.00 EUR → 7.00 EUR",
    );
  });

  it("escapes mrkdwn control characters so a supplier's text cannot ping the channel", () => {
    const m = changeReplyMessage([{ field: "Supplier", from: "A", to: "<!channel> & Co" }], at);
    expect(m.text).toBe("Updated: Supplier: A → &lt;!channel&gt; &amp; Co");
    const ex = alertMessage(
      createAlert({
        kind: "exception.opened",
        channel: "C1",
        record: invoice(),
        exception: { type: "duplicate_invoice", summary: "Same as <!here> invoice" },
      }),
      { at },
    );
    expect(ex.text).not.toContain("<!here>");
  });
});
