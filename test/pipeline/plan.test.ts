import { describe, expect, it } from "vitest";
import { recordKey } from "../../src/infor/records.ts";
import { dependencyTokens, OPEN_TOKEN, planInvoice, poNumbersOf } from "../../src/pipeline/plan.ts";
import type { OpenEntry } from "../../src/pipeline/types.ts";
import { invoice, matchPolicy, po, routingPolicy } from "./helpers.ts";

describe("planInvoice (pure)", () => {
  const base = { matchPolicy, routingPolicy, otherInvoices: [] };

  it("opens with the routed channel and counts occurrences", () => {
    const plan = planInvoice({
      ...base,
      invoice: invoice(),
      purchaseOrders: [po()],
      previous: undefined,
    });
    expect(plan.actions).toHaveLength(1);
    const action = plan.actions[0];
    expect(action?.type).toBe("open");
    if (action?.type !== "open") return;
    expect(action.channel).toBe("C100");
    expect(action.occurrence).toBe(1);
    expect(plan.occurrences).toEqual({ [action.exception.id]: 1 });
  });

  it("keeps unchanged, edits changed, resolves gone, and re-opens with the next occurrence", () => {
    const first = planInvoice({
      ...base,
      invoice: invoice(),
      purchaseOrders: [po()],
      previous: undefined,
    });
    const opened = first.actions[0];
    if (opened?.type !== "open") throw new Error("expected an open action");
    const entry: OpenEntry = {
      exception: opened.exception,
      channel: "C100",
      occurrence: 1,
      update: 0,
      alertId: "a".repeat(32),
    };
    const state = { invoice: invoice(), open: [entry], occurrences: first.occurrences, deps: [] };
    const same = planInvoice({
      ...base,
      invoice: invoice(),
      purchaseOrders: [po()],
      previous: state,
    });
    expect(same.actions).toEqual([]);
    expect(same.unchanged).toEqual([entry]);

    const resolved = planInvoice({
      ...base,
      invoice: invoice(),
      purchaseOrders: [po({}, { receivedQty: "10" })],
      previous: state,
    });
    expect(resolved.actions.map((a) => a.type)).toEqual(["resolve"]);
    const r = resolved.actions[0];
    if (r?.type !== "resolve") return;
    expect(r.code).toBe("receipt_arrived");

    const closed = { ...state, open: [] };
    const again = planInvoice({
      ...base,
      invoice: invoice(),
      purchaseOrders: [po()],
      previous: closed,
    });
    const reopened = again.actions[0];
    expect(reopened?.type === "open" && reopened.occurrence).toBe(2);
  });

  it("names what can resolve an invoice: its POs, duplicates' other invoices, the open set", () => {
    const inv = invoice({}, { poNumber: "4500002" });
    expect(poNumbersOf(inv)).toEqual(["4500001", "4500002"]);
    expect(dependencyTokens(inv, [])).toEqual([]);
    const dup = {
      exception: { facts: { otherInvoiceKey: recordKey(invoice({ invoiceNumber: "X" })) } },
    } as unknown as OpenEntry;
    expect(dependencyTokens(inv, [dup])).toEqual(
      [
        OPEN_TOKEN,
        `inv:${recordKey(invoice({ invoiceNumber: "X" }))}`,
        "po:T1:100:4500001",
        "po:T1:100:4500002",
      ].sort(),
    );
  });
});
