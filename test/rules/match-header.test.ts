import { describe, expect, it } from "vitest";
import { recordKey } from "../../src/infor/records.ts";
import { normalizeInvoiceNumber } from "../../src/rules/duplicates.ts";
import { exceptionId } from "../../src/rules/exception.ts";
import { matchInvoice } from "../../src/rules/match-invoice.ts";
import type { MatchPolicy } from "../../src/rules/match-policy.ts";
import { invLine, invoice, po, poLine } from "./fixtures.ts";

const policy: MatchPolicy = { defaults: { price: { percent: "2" } } };

describe("purchase order validity", () => {
  it("flags an invoice without any PO unless non-PO invoices are allowed", () => {
    const inv = invoice({ poNumber: undefined, costCenter: "CC-HQ" }, [
      invLine({ poLine: undefined }),
    ]);
    const [e, ...rest] = matchInvoice({ invoice: inv, purchaseOrders: [] }, policy);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({
      rule: "no_po",
      line: null,
      severity: "high",
      costCenter: "CC-HQ",
      cause: "No purchase order on invoice INV-1001 (119.00 EUR); non-PO invoices need approval",
      amountAtStake: { amount: "119", currency: "EUR" },
    });
    const allowed: MatchPolicy = { costCenters: { "CC-HQ": { allowNonPo: true } } };
    expect(matchInvoice({ invoice: inv, purchaseOrders: [] }, allowed)).toEqual([]);
  });

  it.each([
    {
      name: "PO not found",
      orders: [],
      rule: "po_not_found",
      cause: "PO 4500123 not found (line 1)",
    },
    {
      name: "PO of another supplier",
      orders: [po({ supplierId: "S200" })],
      rule: "po_supplier_mismatch",
      cause: "PO 4500123 belongs to supplier S200, not S100 (line 1)",
    },
    {
      name: "PO in another company",
      orders: [po({ company: "200" })],
      rule: "po_not_found",
      cause: "PO 4500123 not found (line 1)",
    },
  ])("$name", ({ orders, rule, cause }) => {
    const found = matchInvoice({ invoice: invoice(), purchaseOrders: orders }, policy);
    expect(found.map((e) => [e.rule, e.cause])).toEqual([[rule, cause]]);
  });

  it("flags a PO line that does not exist, and finds a line by its unique item", () => {
    const missing = invoice({}, [invLine({ poLine: 30 })]);
    expect(
      matchInvoice({ invoice: missing, purchaseOrders: [po()] }, policy).map((e) => e.cause),
    ).toEqual(["Line 1: PO 4500123 has no line 30"]);
    const byItem = invoice({}, [
      invLine({
        poLine: undefined,
        item: "BOLT",
        unit: "KG",
        unitPrice: { amount: "0.25", currency: "EUR" },
      }),
    ]);
    expect(matchInvoice({ invoice: byItem, purchaseOrders: [po()] }, policy)).toEqual([]);
  });
});

describe("currencies", () => {
  it("flags an invoice in another currency than its PO and skips the price check", () => {
    const inv = invoice({ total: { amount: "200", currency: "USD" } }, [
      invLine({
        unitPrice: { amount: "20", currency: "USD" },
        amount: { amount: "200", currency: "USD" },
      }),
    ]);
    const found = matchInvoice({ invoice: inv, purchaseOrders: [po()] }, policy);
    expect(found.map((e) => [e.rule, e.cause, e.amountAtStake])).toEqual([
      [
        "currency_mismatch",
        "Invoice in USD vs PO 4500123 in EUR",
        { amount: "200", currency: "USD" },
      ],
    ]);
  });

  it("flags a line priced in another currency than the invoice", () => {
    const inv = invoice({}, [
      invLine({
        unitPrice: { amount: "11.90", currency: "USD" },
        amount: { amount: "119", currency: "USD" },
      }),
    ]);
    const found = matchInvoice({ invoice: inv, purchaseOrders: [po()] }, policy);
    expect(found.map((e) => e.cause)).toEqual(["Line 1: priced in USD, invoice is in EUR"]);
  });
});

describe("duplicates", () => {
  const mine = invoice({ total: { amount: "119.00", currency: "EUR" } });
  const other = (o: Record<string, unknown>) => invoice({ invoiceNumber: "X-77", ...o });

  it.each([
    {
      name: "same number, other spelling",
      o: { invoiceNumber: "inv 1001", division: "BBB" },
      rule: "duplicate_number",
    },
    {
      name: "same number, leading zeros",
      o: { invoiceNumber: "INV-01001", invoiceDate: "2025-01-01" },
      rule: "duplicate_number",
    },
    {
      name: "same amount 7 days apart",
      o: { invoiceDate: "2026-11-21" },
      rule: "duplicate_amount",
    },
    { name: "same amount 8 days apart", o: { invoiceDate: "2026-11-20" }, rule: null },
    { name: "other amount", o: { total: { amount: "119.01", currency: "EUR" } }, rule: null },
    {
      name: "same amount other currency",
      o: { total: { amount: "119", currency: "USD" } },
      rule: null,
    },
    {
      name: "other supplier",
      o: { invoiceNumber: "INV-1001", supplierId: "S200", division: "BBB" },
      rule: null,
    },
    {
      name: "cancelled",
      o: { invoiceNumber: "INV-1001", division: "BBB", status: "cancelled" },
      rule: null,
    },
    { name: "earlier version of itself", o: { invoiceNumber: "INV-1001" }, rule: null },
  ])("$name", ({ o, rule }) => {
    const found = matchInvoice(
      { invoice: mine, purchaseOrders: [po()], otherInvoices: [other(o)] },
      policy,
    );
    expect(found.map((e) => e.rule)).toEqual(rule ? [rule] : []);
  });

  it("words the cause and honours the configured window", () => {
    const near = other({ invoiceDate: "2026-11-18", status: "posted" });
    const wide: MatchPolicy = {
      ...policy,
      defaults: { ...policy.defaults, duplicateWindowDays: 10 },
    };
    const [e] = matchInvoice(
      { invoice: mine, purchaseOrders: [po()], otherInvoices: [near] },
      wide,
    );
    expect(e?.cause).toBe(
      "Same supplier and amount 119.00 EUR as invoice X-77 of 2026-11-18 (10 days apart, posted)",
    );
    expect(e?.facts.otherInvoiceKey).toBe(recordKey(near));
    const same = other({ invoiceNumber: "INV1001", invoiceDate: "2026-11-02", division: "BBB" });
    const [d] = matchInvoice(
      { invoice: mine, purchaseOrders: [po()], otherInvoices: [same] },
      policy,
    );
    expect(d?.cause).toBe(
      "Same supplier and number as invoice INV1001 of 2026-11-02 (119.00 EUR, entry)",
    );
    expect(d?.facts).toEqual({
      otherInvoiceKey: recordKey(same),
      otherInvoiceNumber: "INV1001",
      otherInvoiceDate: "2026-11-02",
      otherTotal: "119.00 EUR",
      otherStatus: "entry",
    });
    expect(e?.facts).toEqual({
      otherInvoiceKey: recordKey(near),
      otherInvoiceNumber: "X-77",
      otherInvoiceDate: "2026-11-18",
      otherTotal: "119.00 EUR",
      otherStatus: "posted",
      daysApart: "10",
    });
  });

  it("normalizes invoice numbers", () => {
    expect(normalizeInvoiceNumber(" inv-000042/a ")).toBe("INV42A");
    expect(normalizeInvoiceNumber("0")).toBe("0");
    // Letters outside A-Z are part of the number: "ÅR-12" and "ÄR-12" are two invoices.
    expect(normalizeInvoiceNumber("år-0012")).toBe("ÅR12");
    expect(normalizeInvoiceNumber("ÅR-12")).not.toBe(normalizeInvoiceNumber("ÄR-12"));
    expect(normalizeInvoiceNumber("СФ-001")).not.toBe(normalizeInvoiceNumber("АБ-001"));
  });
});

describe("exception identity and ownership", () => {
  const order = po({}, [
    poLine({ receivedQty: "0", receipts: [] }),
    poLine({ line: 20, costCenter: undefined, receivedQty: "0", receipts: [] }),
  ]);
  const inv = invoice({ costCenter: "CC-HEAD" }, [
    invLine({ line: 1, poLine: 10, costCenter: "CC-INV" }),
    invLine({ line: 2, poLine: 20, costCenter: "CC-INV" }),
    invLine({ line: 3, poLine: 20 }),
  ]);

  it("owner is the PO line's cost center, else the invoice line's, else the header's", () => {
    const found = matchInvoice({ invoice: inv, purchaseOrders: [order] }, policy);
    expect(found.map((e) => [e.line, e.rule, e.costCenter])).toEqual([
      [1, "no_receipt", "CC-10"],
      [2, "no_receipt", "CC-INV"],
      [3, "no_receipt", "CC-HEAD"],
    ]);
  });

  it("ids are stable across runs, opaque, and differ per line and rule", () => {
    const a = matchInvoice({ invoice: inv, purchaseOrders: [order] }, policy);
    const b = matchInvoice({ invoice: structuredClone(inv), purchaseOrders: [order] }, policy);
    expect(a.map((e) => e.id)).toEqual(b.map((e) => e.id));
    expect(new Set(a.map((e) => e.id)).size).toBe(3);
    expect(a[0]?.id).toBe(exceptionId(recordKey(inv), "no_receipt", "line:1"));
    expect(a[0]?.id).toMatch(/^mx_[0-9a-f]{32}$/);
    expect(a[0]?.ref).toEqual({
      tenant: "ACME_PRD",
      company: "100",
      division: "AAA",
      supplierId: "S100",
      supplierName: "Bolts & Nuts BV",
      invoiceNumber: "INV-1001",
      invoiceDate: "2026-11-28",
      poNumber: "4500123",
      poLine: 10,
      poSubLine: 0,
    });
  });

  it("a cancelled invoice has no exceptions", () => {
    const cancelled = invoice({ ...inv, status: "cancelled" });
    expect(matchInvoice({ invoice: cancelled, purchaseOrders: [order] }, policy)).toEqual([]);
  });
});

describe("invoices without lines", () => {
  it("still checks the header PO", () => {
    const bare = invoice({ poNumber: "4500999" }, []);
    expect(
      matchInvoice({ invoice: bare, purchaseOrders: [po()] }, policy).map((e) => e.cause),
    ).toEqual(["PO 4500999 not found"]);
    const usd = invoice({ total: { amount: "10", currency: "USD" } }, []);
    expect(
      matchInvoice({ invoice: usd, purchaseOrders: [po()] }, policy).map((e) => e.cause),
    ).toEqual(["Invoice in USD vs PO 4500123 in EUR"]);
  });
});
