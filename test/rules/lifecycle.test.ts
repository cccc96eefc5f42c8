import { describe, expect, it } from "vitest";
import type { PurchaseOrder, SupplierInvoice } from "../../src/infor/records.ts";
import { diffExceptions } from "../../src/rules/lifecycle.ts";
import { matchInvoice } from "../../src/rules/match-invoice.ts";
import type { MatchPolicy } from "../../src/rules/match-policy.ts";
import { invLine, invoice, po, poLine } from "./fixtures.ts";

const policy: MatchPolicy = { defaults: { price: { percent: "2" } } };

function poll(
  inv: SupplierInvoice,
  orders: PurchaseOrder[],
  others: SupplierInvoice[] = [],
  p = policy,
) {
  const input = { invoice: inv, purchaseOrders: orders, otherInvoices: others };
  return { input, exceptions: matchInvoice(input, p) };
}

function transition(before: ReturnType<typeof poll>, after: ReturnType<typeof poll>) {
  const diff = diffExceptions(before.exceptions, after.exceptions, after.input);
  return {
    opened: diff.opened.map((e) => e.rule),
    stillOpen: diff.stillOpen.map((s) => [s.current.rule, s.changed]),
    resolved: diff.resolved.map((r) => [r.exception.rule, r.code, r.reason]),
  };
}

const noReceipt = po({}, [poLine({ receivedQty: "0", receipts: [] })]);
const receipt = (id: string, quantity: string) => ({ id, date: "2026-11-29", quantity });

describe("exception lifecycle", () => {
  it("resolves a missing receipt when the receipt arrives", () => {
    const inv = invoice({}, [invLine({ quantity: "10" })]);
    const before = poll(inv, [noReceipt]);
    expect(before.exceptions.map((e) => e.rule)).toEqual(["no_receipt"]);
    const arrived = po({}, [poLine({ receivedQty: "10", receipts: [receipt("4711", "10")] })]);
    expect(transition(before, poll(inv, [arrived]))).toEqual({
      opened: [],
      stillOpen: [],
      resolved: [
        ["no_receipt", "receipt_arrived", "receipt 4711 arrived for line 1 (10 of 10 received)"],
      ],
    });
  });

  it("explains a received quantity that rose without a receipt record", () => {
    const inv = invoice({}, [invLine({ quantity: "10" })]);
    const before = poll(inv, [noReceipt]);
    const received = po({}, [poLine({ receivedQty: "12", receipts: [] })]);
    expect(transition(before, poll(inv, [received])).resolved).toEqual([
      [
        "no_receipt",
        "receipt_arrived",
        "received quantity now 12 PCE for line 1 (12 of 10 received)",
      ],
    ]);
  });

  it("names every receipt that closed a quantity gap", () => {
    const inv = invoice({}, [invLine({ quantity: "30" })]);
    const partial = po({}, [poLine({ receivedQty: "10", receipts: [receipt("R1", "10")] })]);
    const before = poll(inv, [partial]);
    expect(before.exceptions.map((e) => e.rule)).toEqual(["quantity_over_received"]);
    const full = po({}, [
      poLine({
        receivedQty: "10",
        receipts: [receipt("R1", "10"), receipt("R2", "5"), receipt("R3", "15")],
      }),
    ]);
    expect(transition(before, poll(inv, [full])).resolved).toEqual([
      [
        "quantity_over_received",
        "receipt_arrived",
        "receipts R2, R3 arrived for line 1 (30 of 30 received)",
      ],
    ]);
  });

  it("explains a corrected quantity, and keeps an exception open but changed when still short", () => {
    const partial = po({}, [poLine({ receivedQty: "10", receipts: [receipt("R1", "10")] })]);
    const before = poll(invoice({}, [invLine({ quantity: "30" })]), [partial]);
    const fewer = poll(invoice({}, [invLine({ quantity: "20" })]), [partial]);
    expect(transition(before, fewer)).toEqual({
      opened: [],
      stillOpen: [["quantity_over_received", true]],
      resolved: [],
    });
    const fixed = poll(invoice({}, [invLine({ quantity: "10" })]), [partial]);
    expect(transition(before, fixed).resolved).toEqual([
      [
        "quantity_over_received",
        "invoice_corrected",
        "invoice corrected: line 1 quantity now 10 PCE",
      ],
    ]);
    expect(transition(before, before)).toEqual({
      opened: [],
      stillOpen: [["quantity_over_received", false]],
      resolved: [],
    });
  });

  it.each([
    {
      name: "invoice corrected",
      after: () => poll(invoice({}, [invLine()]), [po()]),
      resolved: ["invoice_corrected", "invoice corrected: unit price now 11.90 EUR"],
    },
    {
      name: "PO price changed",
      after: () =>
        poll(invoice({}, [invLine({ unitPrice: { amount: "12.40", currency: "EUR" } })]), [
          po({}, [poLine({ unitPrice: { amount: "12.40", currency: "EUR" } })]),
        ]),
      resolved: ["po_changed", "PO 4500123 line 10 price now 12.40 EUR"],
    },
    {
      name: "tolerance widened",
      after: () =>
        poll(
          invoice({}, [invLine({ unitPrice: { amount: "12.40", currency: "EUR" } })]),
          [po()],
          [],
          { defaults: { price: { percent: "5" } } },
        ),
      resolved: ["within_tolerance", "variance now within tolerance"],
    },
  ])("resolves a price variance: $name", ({ after, resolved }) => {
    const before = poll(
      invoice({}, [invLine({ unitPrice: { amount: "12.40", currency: "EUR" } })]),
      [po()],
    );
    expect(before.exceptions.map((e) => e.rule)).toEqual(["price_variance"]);
    expect(transition(before, after()).resolved).toEqual([["price_variance", ...resolved]]);
  });

  it("opens new exceptions and resolves everything when the invoice is cancelled", () => {
    const inv = invoice({}, [invLine({ line: 1 }), invLine({ line: 2, quantity: "5" })]);
    const clean = poll(inv, [po()]);
    const short = poll(inv, [noReceipt]);
    expect(transition(clean, short).opened).toEqual(["no_receipt", "no_receipt"]);
    const cancelled = poll(invoice({ ...inv, status: "cancelled" }), [noReceipt]);
    expect(transition(short, cancelled).resolved).toEqual([
      ["no_receipt", "invoice_cancelled", "invoice cancelled"],
      ["no_receipt", "invoice_cancelled", "invoice cancelled"],
    ]);
    const oneLine = poll(invoice({ ...inv, lines: [inv.lines[0]] }), [noReceipt]);
    expect(transition(short, oneLine).resolved).toEqual([
      ["no_receipt", "invoice_corrected", "invoice corrected: line 2 removed"],
    ]);
  });

  it("resolves a duplicate when the other invoice is cancelled or gone", () => {
    const mine = invoice();
    const other = invoice({ invoiceNumber: "INV1001", division: "BBB" });
    const before = poll(mine, [po()], [other]);
    expect(before.exceptions.map((e) => e.rule)).toEqual(["duplicate_number"]);
    expect(
      transition(before, poll(mine, [po()], [{ ...other, status: "cancelled" }])).resolved,
    ).toEqual([["duplicate_number", "other_invoice_gone", "invoice INV1001 was cancelled"]]);
    expect(transition(before, poll(mine, [po()], [])).resolved).toEqual([
      ["duplicate_number", "other_invoice_gone", "invoice INV1001 is no longer open"],
    ]);
  });
});
