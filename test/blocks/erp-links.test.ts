import { describe, expect, it } from "vitest";
import { createAlert } from "../../src/alerts/alert.ts";
import { parseRecord } from "../../src/infor/records.ts";
import { alertMessage } from "../../src/slack/blocks/alert.ts";
import type { LinkTemplates } from "../../src/slack/blocks/format.ts";
import { checkMessage } from "../../src/slack/blocks/limits.ts";
import { recordMessage } from "../../src/slack/blocks/records.ts";
import { invoice, purchaseOrder } from "./fixtures.ts";

const at = new Date("2026-12-01T08:30:00Z");
const portal = "https://mingle.example/ACME";
const templates = {
  supplier_invoice: `${portal}/APS200?cono={company}&divi={division}&id={id}`,
  purchase_order: `${portal}/PPS200?cono={company}&puno={id}`,
  supplier: `${portal}/CRS620?cono={company}&suno={id}`,
  payment: `${portal}/APS120?cono={company}&ref={id}`,
  gl_voucher: `${portal}/GLS200?cono={company}&vono={id}`,
};
const links: LinkTemplates = { byTenant: { ACME_PRD: templates } };

function record(input: Record<string, unknown>) {
  const r = parseRecord({
    tenant: "ACME_PRD",
    company: "100",
    division: "AAA",
    source: "m3",
    changedAt: "2026-11-30",
    ...input,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.record;
}

const payment = () =>
  record({
    entity: "payment",
    reference: "PAY 9/1",
    supplierId: "S1001",
    supplierName: "Nordic Paper AB",
    paymentDate: "2026-11-29",
    amount: { amount: "10", currency: "EUR" },
  });
const supplier = () =>
  record({ entity: "supplier", id: "S&1", name: "Nordic Paper AB", status: "active" });
const voucher = () =>
  record({
    entity: "gl_voucher",
    series: "A",
    voucher: "77",
    accountingDate: "2026-11-30",
    lines: [{ line: 1, account: "4010", amount: { amount: "1", currency: "EUR" } }],
  });

/** Every href in a message's mrkdwn (`<url|label>`). */
function hrefs(message: unknown): string[] {
  return [...JSON.stringify(message).matchAll(/<(https?:[^|>]+)\|/g)].map((m) => m[1] ?? "");
}

describe("ERP links on every document", () => {
  it.each([
    ["invoice", () => invoice(), ["/APS200?", "/PPS200?cono=100&puno=4500123", "/CRS620?"]],
    ["PO", () => purchaseOrder(1), ["/PPS200?cono=100&puno=4500123", "/CRS620?"]],
    ["payment", payment, ["/APS120?cono=100&ref=PAY%209%2F1", "/CRS620?"]],
    ["supplier", supplier, ["/CRS620?cono=100&suno=S%261"]],
    ["GL voucher", voucher, ["/GLS200?cono=100&vono=A%2F77"]],
  ] as const)(
    "%s: its own link and its PO's and supplier's, keys URL-encoded",
    (_n, make, want) => {
      const m = recordMessage(make(), { at, links });
      const found = hrefs(m);
      for (const w of want)
        expect(
          found.some((h) => h.includes(w)),
          w,
        ).toBe(true);
      expect(found).toHaveLength(want.length);
      expect(checkMessage(m)).toEqual([]);
    },
  );

  it("encodes keys that would break a URL (space, &, /, #, ?)", () => {
    const m = recordMessage(invoice({ supplierId: "S 1&2#?", poNumber: "P/1 2" }), {
      at,
      links,
    });
    const found = hrefs(m);
    expect(found).toContain(`${portal}/APS200?cono=100&divi=AAA&id=S%201%262%23%3F%2FINV-77`);
    expect(found).toContain(`${portal}/PPS200?cono=100&puno=P%2F1%202`);
    expect(found).toContain(`${portal}/CRS620?cono=100&suno=S%201%262%23%3F`);
  });

  it("an exception alert links its invoice, PO and supplier", () => {
    const alert = createAlert({
      kind: "exception.opened",
      channel: "C0AP000001",
      record: invoice(),
      exception: { type: "price_variance", summary: "Price above the PO" },
    });
    const found = hrefs(alertMessage(alert, { at, links }));
    expect(found.map((h) => h.split("?")[0])).toEqual([
      `${portal}/APS200`,
      `${portal}/PPS200`,
      `${portal}/CRS620`,
    ]);
  });

  it("no templates, or only another tenant's: no links at all", () => {
    const other: LinkTemplates = { byTenant: { OTHER_TST: templates } };
    for (const make of [() => invoice(), () => purchaseOrder(1), payment, supplier, voucher]) {
      for (const o of [{}, { links: {} }, { links: other }]) {
        const m = recordMessage(make(), { at, ...o });
        expect(hrefs(m)).toEqual([]);
        expect(JSON.stringify(m)).not.toContain("CloudSuite");
      }
    }
    const alert = createAlert({
      kind: "exception.opened",
      channel: "C0AP000001",
      record: invoice(),
      exception: { type: "price_variance", summary: "Price above the PO" },
    });
    expect(hrefs(alertMessage(alert, { at, links: other }))).toEqual([]);
  });
});
