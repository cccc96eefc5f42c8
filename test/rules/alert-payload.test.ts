import { describe, expect, it } from "vitest";
import { exceptionPayloadSchema } from "../../src/alerts/alert.ts";
import { exceptionPayload } from "../../src/rules/alert-payload.ts";
import { matchInvoice } from "../../src/rules/match-invoice.ts";
import { invLine, invoice, po } from "./fixtures.ts";

describe("exception payload for delivery", () => {
  it("carries the cause, the amount and the shown facts, and fits the delivery schema", () => {
    const inv = invoice({}, [invLine({ unitPrice: { amount: "12.40", currency: "EUR" } })]);
    const [e] = matchInvoice(
      { invoice: inv, purchaseOrders: [po()] },
      { defaults: { price: { percent: "2" } } },
    );
    if (!e) throw new Error("expected a price variance");
    const payload = exceptionPayload(e);
    expect(exceptionPayloadSchema.parse(payload)).toEqual(payload);
    expect(payload).toEqual({
      type: "price_variance",
      title: "Price variance",
      severity: "warning",
      summary: "Line 1: unit price 12.40 EUR vs PO 11.90 EUR (+4.2 %, tolerance 2 %)",
      amount: { amount: "5", currency: "EUR" },
      details: [
        { label: "Purchase order", value: "4500123 line 10" },
        { label: "Invoice price", value: "12.40 EUR" },
        { label: "PO price", value: "11.90 EUR" },
        { label: "Variance", value: "+4.2 %" },
        { label: "Variance amount", value: "5.00 EUR" },
        { label: "Tolerance", value: "2 %" },
        { label: "Quantity", value: "10 PCE" },
      ],
    });
  });
});
