import { describe, expect, it } from "vitest";
import type { SupplierInvoice } from "../../src/infor/records.ts";
import { matchInvoice } from "../../src/rules/match-invoice.ts";
import type { MatchPolicy } from "../../src/rules/match-policy.ts";
import { invLine, invoice, po, poLine } from "./fixtures.ts";

const policy: MatchPolicy = { defaults: { price: { percent: "2" } } };

function run(
  line: Record<string, unknown>,
  lineInvoice: Record<string, unknown>[],
  opts: {
    header?: Record<string, unknown>;
    others?: SupplierInvoice[];
    policy?: MatchPolicy;
  } = {},
) {
  const order = po({}, [poLine(line)]);
  const inv = invoice(opts.header ?? {}, lineInvoice);
  return matchInvoice(
    { invoice: inv, purchaseOrders: [order], otherInvoices: opts.others ?? [] },
    opts.policy ?? policy,
  ).map((e) => ({ rule: e.rule, cause: e.cause, amount: e.amountAtStake.amount }));
}

const receipts = (...qty: string[]) =>
  qty.map((q, i) => ({ id: `R${i + 1}`, date: "2026-11-10", quantity: q }));

describe("quantities against receipts (three-way)", () => {
  it.each([
    {
      name: "partial receipt covers the invoice",
      line: { receivedQty: "60", receipts: receipts("40", "20") },
      qty: "60",
      expected: [],
    },
    {
      name: "partial receipt, invoice above it",
      line: { receivedQty: "60", receipts: receipts("40", "20") },
      qty: "70",
      expected: [
        {
          rule: "quantity_over_received",
          cause: "Line 1: 70 PCE invoiced vs 60 PCE received (10 PCE above received)",
          amount: "119",
        },
      ],
    },
    {
      name: "several receipts newer than the line's received quantity",
      line: { receivedQty: "40", receipts: receipts("40", "30") },
      qty: "70",
      expected: [],
    },
    {
      name: "nothing received",
      line: { receivedQty: "0", receipts: [] },
      qty: "10",
      expected: [
        {
          rule: "no_receipt",
          cause: "Line 1: 10 PCE invoiced, nothing received yet on PO 4500123 line 10",
          amount: "119",
        },
      ],
    },
    {
      name: "invoiced before on the PO line (ERP invoiced quantity)",
      line: { invoicedQty: "50" },
      qty: "60",
      expected: [
        {
          rule: "quantity_over_received",
          cause:
            "Line 1: 60 PCE invoiced + 50 PCE invoiced before vs 100 PCE received (10 PCE above received)",
          amount: "119",
        },
      ],
    },
  ])("$name", ({ line, qty, expected }) => {
    expect(run(line, [invLine({ quantity: qty })])).toEqual(expected);
  });

  it("does not count a posted invoice twice (it is already in the PO line's invoiced quantity)", () => {
    const line = { receivedQty: "60", receipts: receipts("60"), invoicedQty: "60" };
    expect(run(line, [invLine({ quantity: "60" })], { header: { status: "posted" } })).toEqual([]);
    expect(run(line, [invLine({ quantity: "60" })], { header: { status: "entry" } })).toHaveLength(
      1,
    );
  });

  it("a tenant that counts at entry: the invoice in entry is already in IVQA, not counted twice", () => {
    // 170-unit line, 170 received; this one invoice (170, not yet posted) is already in IVQA.
    const line = {
      orderedQty: "170",
      receivedQty: "170",
      receipts: receipts("170"),
      invoicedQty: "170",
    };
    const mine = [invLine({ quantity: "170" })];
    const entry: MatchPolicy = { defaults: { ...policy.defaults, invoicedQtyCountedAt: "entry" } };
    for (const status of ["entry", "approval", "approved", "posted"]) {
      expect(run(line, mine, { header: { status }, policy: entry })).toEqual([]);
    }
    // Per company: the company's setting applies to its invoices only.
    const perCompany: MatchPolicy = {
      ...policy,
      companies: { "100": { settings: { invoicedQtyCountedAt: "entry" } } },
    };
    expect(run(line, mine, { header: { status: "approval" }, policy: perCompany })).toEqual([]);
    // The cautious default (posting) reads IVQA 170 as invoiced before: flagged for review.
    expect(run(line, mine, { header: { status: "approval" } }).map((e) => e.cause)).toEqual([
      "Line 1: 170 PCE invoiced + 170 PCE invoiced before vs 170 PCE received (170 PCE above received)",
    ]);
  });

  it("a tenant that counts at entry still sees a real second invoice on the line", () => {
    const line = {
      orderedQty: "170",
      receivedQty: "170",
      receipts: receipts("170"),
      invoicedQty: "340",
    };
    const entry: MatchPolicy = { defaults: { ...policy.defaults, invoicedQtyCountedAt: "entry" } };
    expect(
      run(line, [invLine({ quantity: "170" })], { header: { status: "entry" }, policy: entry }).map(
        (e) => e.cause,
      ),
    ).toEqual([
      "Line 1: 170 PCE invoiced + 170 PCE invoiced before vs 170 PCE received (170 PCE above received)",
    ]);
  });

  it("counts the supplier's other live invoices, not cancelled ones", () => {
    const other = invoice(
      { invoiceNumber: "INV-0999", total: { amount: "595", currency: "EUR" } },
      [invLine({ quantity: "50", amount: { amount: "595", currency: "EUR" } })],
    );
    const cancelled = invoice({ ...other, status: "cancelled" });
    const mine = [invLine({ quantity: "60" })];
    expect(run({}, mine, { others: [other] }).map((e) => e.rule)).toEqual([
      "quantity_over_received",
    ]);
    expect(run({}, mine, { others: [cancelled] })).toEqual([]);
  });

  it("never counts an earlier version of the invoice itself; counts every line of the others", () => {
    const mine = [invLine({ quantity: "60" })];
    const earlier = invoice({}, [invLine({ quantity: "50" })]);
    expect(run({}, mine, { others: [earlier] })).toEqual([]);
    const other = invoice(
      { invoiceNumber: "INV-0999", total: { amount: "500", currency: "EUR" } },
      [
        invLine({ line: 1, poLine: 99, quantity: "70" }),
        invLine({ line: 2, quantity: "20" }),
        invLine({ line: 3, quantity: "21" }),
      ],
    );
    expect(run({}, mine, { others: [earlier, other] }).map((e) => e.cause)).toEqual([
      "Line 1: 60 PCE invoiced + 41 PCE invoiced before vs 100 PCE received (1 PCE above received)",
    ]);
  });

  it("adds up several lines of one invoice on the same PO line", () => {
    const found = run({}, [
      invLine({ line: 1, quantity: "60" }),
      invLine({ line: 2, quantity: "50" }),
    ]);
    expect(found).toEqual([
      {
        rule: "quantity_over_received",
        cause:
          "Line 2: 50 PCE invoiced + 60 PCE invoiced before vs 100 PCE received (10 PCE above received)",
        amount: "119",
      },
    ]);
  });

  it("honours a quantity tolerance exactly at its boundary", () => {
    const tolerant: MatchPolicy = { defaults: { quantityPercent: "5" } };
    expect(run({}, [invLine({ quantity: "105" })], { policy: tolerant })).toEqual([]);
    expect(run({}, [invLine({ quantity: "105.01" })], { policy: tolerant })).toEqual([
      {
        rule: "quantity_over_received",
        cause:
          "Line 1: 105.01 PCE invoiced vs 100 PCE received (5.01 PCE above received, tolerance 5 %)",
        amount: "59.62",
      },
    ]);
  });

  it("two-way match checks ordered quantity and no receipts", () => {
    const twoWay: MatchPolicy = { defaults: { mode: "two_way" } };
    const line = { receivedQty: "0", receipts: [] };
    expect(run(line, [invLine({ quantity: "10" })], { policy: twoWay })).toEqual([]);
    expect(run(line, [invLine({ quantity: "110" })], { policy: twoWay })).toEqual([
      {
        rule: "quantity_over_ordered",
        cause: "Line 1: 110 PCE invoiced vs 100 PCE ordered (10 PCE above ordered)",
        amount: "119",
      },
    ]);
  });
});

describe("units, zero quantities and credit notes", () => {
  it("flags a unit of measure that differs from the PO line (no decision, a data fix)", () => {
    const order = po({}, [poLine({})]);
    const inv = invoice({}, [invLine({ unit: "KG" })]);
    const [e, ...rest] = matchInvoice({ invoice: inv, purchaseOrders: [order] }, policy);
    expect(rest).toEqual([]);
    expect(e?.rule).toBe("unit_mismatch");
    expect(e?.cause).toBe("Line 1: invoiced in KG, PO 4500123 line 10 is in PCE");
    expect(e?.needsDecision).toBe(false);
    expect(e?.actions).toEqual([]);
  });

  it("accepts units in another case", () => {
    expect(run({}, [invLine({ unit: "pce" })])).toEqual([]);
  });

  it.each([
    { amount: "0", expected: [] },
    {
      amount: "45",
      expected: [
        {
          rule: "charge_without_quantity",
          cause: 'Line 1: 45.00 EUR charged without a quantity ("Freight")',
          amount: "45",
        },
      ],
    },
  ])("zero-quantity line of $amount EUR", ({ amount, expected }) => {
    const line = invLine({
      quantity: "0",
      description: "Freight",
      amount: { amount, currency: "EUR" },
    });
    expect(run({ receivedQty: "0", receipts: [] }, [line])).toEqual(expected);
  });

  const credit = { credit: true, total: { amount: "-59.50", currency: "EUR" } };
  it.each([
    { name: "credit within invoiced", invoiced: "10", qty: "-5", price: "11.90", expected: [] },
    {
      name: "credit above invoiced",
      invoiced: "3",
      qty: "-5",
      price: "11.90",
      expected: [
        {
          rule: "credit_over_invoiced",
          cause:
            "Line 1: 5 PCE credited vs 3 PCE invoiced on PO 4500123 line 10 (2 PCE more than invoiced)",
          amount: "23.8",
        },
      ],
    },
    {
      name: "credited at a lower price than ordered",
      invoiced: "10",
      qty: "-5",
      price: "11.00",
      expected: [
        {
          rule: "price_variance",
          cause: "Line 1: credited unit price 11.00 EUR vs PO 11.90 EUR (-7.6 %, tolerance 2 %)",
          amount: "4.5",
        },
      ],
    },
    { name: "credited at a higher price", invoiced: "10", qty: "5", price: "12.40", expected: [] },
  ])("credit note: $name", ({ invoiced, qty, price, expected }) => {
    const line = invLine({
      quantity: qty,
      unitPrice: { amount: price, currency: "EUR" },
      amount: { amount: "-59.50", currency: "EUR" },
    });
    // No receipt check for a credit note: the line has nothing received left.
    expect(
      run({ invoicedQty: invoiced, receivedQty: "0", receipts: [] }, [line], { header: credit }),
    ).toEqual(expected);
  });
});
