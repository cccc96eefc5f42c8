import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRecord, recordKey } from "../../src/infor/records.ts";
import { readEnvelope } from "../../src/ops/bod/envelope.ts";
import { type BodMapContext, NOUN_MAPPERS } from "../../src/ops/bod/map.ts";
import { decodeText, parseSafeXml } from "../../src/ops/bod/xml.ts";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const ctx: BodMapContext = { tenant: "ACME_TST", today: "2026-12-01" };

function mapAll(xml: Buffer | string) {
  const env = readEnvelope(parseSafeXml(xml));
  const mapper = NOUN_MAPPERS[env.noun];
  if (!mapper) throw new Error(`no mapper for ${env.noun}`);
  return {
    env,
    results: env.nouns
      .map((n) => mapper(n, env, ctx))
      .filter((c) => c !== undefined)
      .map(parseRecord),
  };
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<SyncSupplierInvoice><ApplicationArea/><DataArea><SupplierInvoice><SupplierInvoiceHeader><DocumentID><ID>&lol9;</ID></DocumentID></SupplierInvoiceHeader></SupplierInvoice></DataArea></SyncSupplierInvoice>`;

const XXE = `<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<SyncSupplierInvoice><ApplicationArea/><DataArea><SupplierInvoice><SupplierInvoiceHeader><DocumentID><ID>&xxe;</ID></DocumentID></SupplierInvoiceHeader></SupplierInvoice></DataArea></SyncSupplierInvoice>`;

describe("safe XML", () => {
  it("refuses a billion-laughs document before parsing", () => {
    expect(() => parseSafeXml(BILLION_LAUGHS)).toThrow(
      expect.objectContaining({ code: "bod_doctype_forbidden" }),
    );
  });

  it("refuses an external entity (XXE) document", () => {
    expect(() => parseSafeXml(XXE)).toThrow(
      expect.objectContaining({ code: "bod_doctype_forbidden" }),
    );
  });

  it("refuses a lower-case or spaced doctype too", () => {
    expect(() => parseSafeXml(`<!doctype a><a/>`)).toThrow(
      expect.objectContaining({ code: "bod_doctype_forbidden" }),
    );
  });

  it("leaves undeclared entity references as text instead of expanding them", () => {
    const xml = parseSafeXml("<a><b>&lol9;</b></a>");
    expect(xml.root).toEqual({ b: "&lol9;" });
  });

  it("decodes only the predefined entities and character references, never growing the text", () => {
    const input = "A &amp; B &lt;c&gt; &#233;&#x41; &quot;q&quot; &apos;s&apos; &unknown;";
    const out = decodeText(input);
    expect(out).toBe(`A & B <c> éA "q" 's' &unknown;`);
    expect(out.length).toBeLessThanOrEqual(input.length);
  });

  it("refuses malformed XML with a stable code", () => {
    expect(() => parseSafeXml("<a><b></a>")).toThrow(
      expect.objectContaining({ code: "bod_malformed_xml" }),
    );
    expect(() => parseSafeXml("not xml at all")).toThrow(
      expect.objectContaining({ code: "bod_malformed_xml" }),
    );
    expect(() => parseSafeXml("<a>x & y</a>")).toThrow(
      expect.objectContaining({ code: "bod_malformed_xml" }),
    );
  });

  it("refuses absurd nesting instead of exhausting the stack", () => {
    const deep = `${"<a>".repeat(500)}x${"</a>".repeat(500)}`;
    expect(() => parseSafeXml(deep)).toThrow(
      expect.objectContaining({ code: "bod_malformed_xml" }),
    );
  });

  it("refuses XML that is not a BOD", () => {
    expect(() => readEnvelope(parseSafeXml("<Invoice><x/></Invoice>"))).toThrow(
      expect.objectContaining({ code: "bod_not_a_bod" }),
    );
    expect(() =>
      readEnvelope(parseSafeXml("<SyncSupplierInvoice><x/></SyncSupplierInvoice>")),
    ).toThrow(expect.objectContaining({ code: "bod_not_a_bod" }));
  });
});

describe("BOD → canonical records", () => {
  it("reads the envelope of a SyncSupplierInvoice", () => {
    const env = readEnvelope(parseSafeXml(fixture("sync-supplier-invoice.xml")));
    expect(env).toMatchObject({
      verb: "Sync",
      noun: "SupplierInvoice",
      tenantId: "ACME_TST",
      accountingEntity: "100_AAA",
      actionCode: "Replace",
      logicalId: "lid://infor.m3.m3",
      bodId: "infor-nid:ACME_TST:100:AAA:4711:?SupplierInvoice&verb=Sync",
    });
    expect(env.nouns).toHaveLength(1);
  });

  it("maps a supplier invoice with exact amounts and the polling key", () => {
    const { results } = mapAll(fixture("sync-supplier-invoice.xml"));
    const r = results[0];
    if (!r?.ok) throw new Error(JSON.stringify(r));
    expect(r.record).toMatchObject({
      entity: "supplier_invoice",
      source: "bod",
      tenant: "ACME_TST",
      company: "100",
      division: "AAA",
      changedAt: "2026-11-30",
      supplierId: "SUP001",
      supplierName: "Smith & Sons Ltd",
      invoiceNumber: "INV-4711",
      invoiceDate: "2026-11-28",
      dueDate: "2026-12-28",
      status: "approved",
      total: { amount: "1240.5", currency: "EUR" },
      vat: { amount: "206.75", currency: "EUR" },
      poNumber: "PO1001",
      credit: false,
    });
    if (r.record.entity !== "supplier_invoice") throw new Error("wrong entity");
    expect(r.record.lines[0]).toMatchObject({
      line: 1,
      poNumber: "PO1001",
      poLine: 10,
      item: "WIDGET-9",
      quantity: "100",
      unit: "PCS",
      unitPrice: { amount: "10.3375", currency: "EUR" },
      amount: { amount: "1033.75", currency: "EUR" },
    });
    expect(recordKey(r.record)).toBe("supplier_invoice:ACME_TST:100:AAA:SUP001/INV-4711");
  });

  it("maps a purchase order", () => {
    const { results } = mapAll(fixture("sync-purchase-order.xml"));
    const r = results[0];
    if (!r?.ok) throw new Error(JSON.stringify(r));
    expect(r.record).toMatchObject({
      entity: "purchase_order",
      number: "PO1001",
      supplierId: "SUP001",
      orderDate: "2026-11-20",
      deliveryDate: "2026-12-05",
      currency: "EUR",
      total: { amount: "1033.75", currency: "EUR" },
      changedAt: "2026-11-29",
    });
    if (r.record.entity !== "purchase_order") throw new Error("wrong entity");
    expect(r.record.lines[0]).toMatchObject({ line: 10, orderedQty: "100", receivedQty: "0" });
  });

  it("maps a supplier", () => {
    const { results } = mapAll(fixture("sync-supplier-party-master.xml"));
    const r = results[0];
    if (!r?.ok) throw new Error(JSON.stringify(r));
    expect(r.record).toMatchObject({
      entity: "supplier",
      id: "SUP001",
      name: "Smith & Sons Ltd",
      country: "GB",
      currency: "EUR",
      status: "active",
      blocked: false,
    });
  });

  it("maps payable transactions that are payments and skips the others", () => {
    const { results } = mapAll(fixture("sync-payable-transaction.xml"));
    expect(results).toHaveLength(1);
    const r = results[0];
    if (!r?.ok) throw new Error(JSON.stringify(r));
    expect(r.record).toMatchObject({
      entity: "payment",
      reference: "PAY-77",
      supplierId: "SUP001",
      invoiceNumber: "INV-4711",
      paymentDate: "2026-12-20",
      amount: { amount: "1240.5", currency: "EUR" },
      method: "BANK",
    });
  });

  it("names the missing fields of an invoice that lacks them", () => {
    const xml = `<SyncSupplierInvoice><ApplicationArea><CreationDateTime>2026-11-30T00:00:00Z</CreationDateTime></ApplicationArea><DataArea><Sync><AccountingEntityID>100_AAA</AccountingEntityID></Sync><SupplierInvoice><SupplierInvoiceHeader><TotalAmount currencyID="EUR">1,240.50</TotalAmount></SupplierInvoiceHeader></SupplierInvoice></DataArea></SyncSupplierInvoice>`;
    const { results } = mapAll(xml);
    const r = results[0];
    if (!r || r.ok) throw new Error("expected a failure");
    const paths = r.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(["supplierId", "invoiceNumber", "invoiceDate", "total.amount"]),
    );
  });
});
