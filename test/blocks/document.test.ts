import { describe, expect, it } from "vitest";
import {
  type Alert,
  createAlert,
  type DocumentEvent,
  type DocumentLine,
} from "../../src/alerts/alert.ts";
import { withStampOf } from "../../src/delivery/refresh.ts";
import { alertMessage, threadReplyMessage } from "../../src/slack/blocks/alert.ts";
import { withDecision } from "../../src/slack/blocks/decision.ts";
import {
  DOC_ACTIONS_BLOCK,
  DOC_ALL_BLOCK,
  DOCUMENT_ACTIONS,
  stampDocumentLine,
} from "../../src/slack/blocks/document.ts";
import { checkMessage } from "../../src/slack/blocks/limits.ts";
import type { Block } from "../../src/slack/blocks/types.ts";
import { invoice } from "./fixtures.ts";

const at = new Date("2026-12-01T08:30:00Z");

function line(n: number, state: "open" | "resolved", approvalId?: string): DocumentLine {
  return {
    id: `mx_price_variance_${n}`,
    line: n,
    exception: {
      type: "price_variance",
      title: "Price variance",
      severity: "warning",
      summary: `Line ${n}: invoiced 5.50 EUR, PO 5.00 EUR`,
      details: [{ label: "Purchase order", value: `4500001 line ${n * 10}` }],
      amount: { amount: `${n}.00`, currency: "EUR" },
    },
    state,
    since: "2026-12-01T08:00:00Z",
    ...(state === "resolved" ? { resolvedReason: "invoice corrected" } : {}),
    ...(approvalId ? { approvalId } : {}),
    allowHold: true,
  };
}

function doc(lines: DocumentLine[], events: DocumentEvent[] = []): Alert {
  const open = lines.find((l) => l.state === "open" && l.approvalId);
  return createAlert({
    kind: lines.some((l) => l.state === "open") ? "exception.opened" : "exception.resolved",
    channel: "C1",
    record: invoice(),
    recordKey: "supplier_invoice:T1:100:AAA:77",
    contentVersion: `d1.${lines.map((l) => l.state).join("")}`,
    exception: { type: "invoice_exceptions", summary: "two lines" },
    document: { lines, events },
    ...(open?.approvalId
      ? {
          needsDecision: {
            approvalId: open.approvalId,
            ask: { users: ["U0APPR0001"], groups: [] },
          },
        }
      : {}),
  });
}

const ids = (blocks: readonly Block[]) => blocks.map((b) => b.block_id ?? b.type);

describe("document message (one per invoice)", () => {
  it("lists each exception line with its state and its own buttons, plus whole-invoice buttons", () => {
    const a = doc([line(1, "open", "apv_aaa"), line(2, "open", "apv_bbb")]);
    const m = alertMessage(a, { at });
    expect(checkMessage(m)).toEqual([]);
    const json = JSON.stringify(m.blocks);
    // The invoice number and the supplier are named, in the blocks and the notification text.
    expect(json).toContain(invoice().invoiceNumber);
    expect(m.text).toContain(invoice().invoiceNumber);
    expect(m.text).toContain(invoice().supplierName as string);
    expect(m.text).toContain("2 open exceptions");
    expect(ids(m.blocks)).toEqual(
      expect.arrayContaining([
        "doc.line:apv_aaa",
        "doc.state:apv_aaa",
        `${DOC_ACTIONS_BLOCK}apv_aaa`,
        "doc.line:apv_bbb",
        `${DOC_ACTIONS_BLOCK}apv_bbb`,
        DOC_ALL_BLOCK,
      ]),
    );
    const all = m.blocks.find((b) => b.block_id === DOC_ALL_BLOCK);
    expect(JSON.stringify(all)).toContain('"value":"apv_aaa,apv_bbb"');
    expect(JSON.stringify(all)).toContain(DOCUMENT_ACTIONS.approveAll);
    expect(json).toContain("Approve line 1");
  });

  it("delivery's render stamps each line from its own approval and drops only its buttons", () => {
    const a = doc([line(1, "open", "apv_aaa"), line(2, "open", "apv_bbb")]);
    const m = withDecision(alertMessage(a, { at }), a, {
      approvalId: "apv_aaa",
      state: "approved",
      by: "U0APPR0001",
      at: "2026-12-01T09:00:00Z",
      lines: {
        apv_aaa: {
          approvalId: "apv_aaa",
          state: "approved",
          by: "U0APPR0001",
          at: "2026-12-01T09:00:00Z",
        },
      },
    });
    expect(checkMessage(m)).toEqual([]);
    const blocks = ids(m.blocks);
    expect(blocks).not.toContain(`${DOC_ACTIONS_BLOCK}apv_aaa`);
    expect(blocks).toContain(`${DOC_ACTIONS_BLOCK}apv_bbb`);
    // One line left to decide: no whole-invoice buttons.
    expect(blocks).not.toContain(DOC_ALL_BLOCK);
    const state = JSON.stringify(m.blocks.find((b) => b.block_id === "doc.state:apv_aaa"));
    expect(state).toContain("Approved");
    expect(state).toContain("<@U0APPR0001>");
    expect(m.text).toContain("1 open exception");
  });

  it("a refresh keeps the words the click stamped on its line (who acted for whom)", () => {
    const a = doc([line(1, "open", "apv_aaa"), line(2, "open", "apv_bbb")]);
    const decided = {
      approvalId: "apv_aaa",
      state: "approved" as const,
      by: "U0APPR0002",
      at: "2026-12-01T09:00:00Z",
    };
    const view = withStampOf(
      { ...decided, lines: { apv_aaa: decided } },
      {
        ts: "1.2",
        approvalId: "apv_aaa",
        stamp: {
          state: "approved",
          lines: ["Approved by <@U0APPR0002> on behalf of <@U0APPR0001>"],
        },
      },
    );
    const m = withDecision(alertMessage(a, { at }), a, view);
    const state = JSON.stringify(m.blocks.find((b) => b.block_id === "doc.state:apv_aaa"));
    expect(state).toContain("on behalf of <@U0APPR0001>");
    // Words stamped for another state are not used once the approval moved on.
    const moved = withStampOf(
      { ...decided, lines: { apv_aaa: { ...decided, state: "rejected" } } },
      { ts: "1.2", approvalId: "apv_aaa", stamp: { state: "approved", lines: ["stale words"] } },
    );
    expect(JSON.stringify(withDecision(alertMessage(a, { at }), a, moved).blocks)).not.toContain(
      "stale words",
    );
  });

  it("rendered with every line decided, the header says what the click's stamp says", () => {
    const a = doc([line(1, "open", "apv_aaa"), line(2, "open", "apv_bbb")]);
    const view = (approvalId: string) => ({ approvalId, state: "approved", by: "U1" }) as const;
    const decided = withDecision(alertMessage(a, { at }), a, {
      ...view("apv_aaa"),
      lines: { apv_aaa: view("apv_aaa"), apv_bbb: view("apv_bbb") },
    });
    const header = JSON.stringify(decided.blocks[0]);
    expect(header).toContain("every exception decided");
    // Lines the data closed, nobody decided: closed.
    const closed = alertMessage(doc([line(1, "resolved"), line(2, "resolved")]), { at });
    expect(JSON.stringify(closed.blocks[0])).toContain("exceptions closed");
  });

  it("a click stamps its line on Slack's copy; the whole-invoice value keeps the open lines", () => {
    const a = doc([
      line(1, "open", "apv_aaa"),
      line(2, "open", "apv_bbb"),
      line(3, "open", "apv_ccc"),
    ]);
    const m = alertMessage(a, { at });
    expect(JSON.stringify(m.blocks)).toContain("Your decision");
    const stamped = stampDocumentLine(m.blocks, "apv_bbb", "✅ *Approved* by <@U1>", true);
    expect(ids(stamped)).not.toContain(`${DOC_ACTIONS_BLOCK}apv_bbb`);
    expect(JSON.stringify(stamped.find((b) => b.block_id === DOC_ALL_BLOCK))).toContain(
      '"value":"apv_aaa,apv_ccc"',
    );
    // The last open lines decided: nobody is asked any more, the header says so.
    const done = stampDocumentLine(
      stampDocumentLine(stamped, "apv_aaa", "✅", true),
      "apv_ccc",
      "✅",
      true,
    );
    expect(JSON.stringify(done)).not.toContain("Your decision");
    expect(JSON.stringify(done)).toContain("every exception decided");
    expect(ids(done)).not.toContain(DOC_ALL_BLOCK);
    // A hold keeps the line's buttons.
    const held = stampDocumentLine(m.blocks, "apv_bbb", "⏸ *On hold*", false);
    expect(ids(held)).toContain(`${DOC_ACTIONS_BLOCK}apv_bbb`);
  });

  it("a resolved line says why and offers no buttons; the reply names only what changed", () => {
    const a = doc(
      [line(1, "open", "apv_aaa"), line(2, "resolved", "apv_bbb")],
      [{ lineId: "mx_price_variance_2", event: "resolved", changes: [] }],
    );
    const m = alertMessage(a, { at });
    const json = JSON.stringify(m.blocks);
    expect(json).toContain("Resolved");
    expect(json).toContain("invoice corrected");
    expect(ids(m.blocks)).not.toContain(`${DOC_ACTIONS_BLOCK}apv_bbb`);
    const reply = threadReplyMessage(a, at);
    expect(reply.text).toContain("Line 2");
    expect(reply.text).toContain("resolved: invoice corrected");
    expect(reply.text).not.toContain("Line 1");
  });

  it("a one-line document looks like a single exception message", () => {
    const a = doc([line(1, "open", "apv_aaa")]);
    const m = alertMessage(a, { at });
    expect(JSON.stringify(m.blocks)).toContain('"block_id":"approval"');
    expect(ids(m.blocks)).not.toContain(DOC_ALL_BLOCK);
  });

  it("stays inside Slack's limits with many lines", () => {
    const many = Array.from({ length: 30 }, (_, i) => line(i + 1, "open", `apv_${i}`));
    const m = alertMessage(doc(many), { at });
    expect(checkMessage(m)).toEqual([]);
    expect(JSON.stringify(m.blocks)).toContain("more lines");
  });
});
