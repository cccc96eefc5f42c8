import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signBody } from "../../src/ops/bod/auth.ts";
import type { BodTrigger } from "../../src/ops/bod/handler.ts";
import { type BodAuditEntry, bodRoute } from "../../src/ops/bod/handler.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import { metricsRoute, type OpsServer, startOpsServer } from "../../src/ops/routes.ts";
import { httpRequest } from "./helpers.ts";

const SECRET = "bod-test-secret-0123456789abcdef";
const TOKEN = "bod-test-bearer-token-abcdef0123456789";
const invoiceXml = readFileSync(new URL("./fixtures/sync-supplier-invoice.xml", import.meta.url));
const MAX = 64 * 1024;

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<SyncSupplierInvoice><ApplicationArea/><DataArea><SupplierInvoice><SupplierInvoiceHeader><DocumentID><ID>&lol2;</ID></DocumentID></SupplierInvoiceHeader></SupplierInvoice></DataArea></SyncSupplierInvoice>`;
const XXE = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/hostname">]><SyncSupplierInvoice><ApplicationArea/><DataArea><SupplierInvoice><SupplierInvoiceHeader><DocumentID><ID>&xxe;</ID></DocumentID></SupplierInvoiceHeader></SupplierInvoice></DataArea></SyncSupplierInvoice>`;

describe("POST /ion/bod", () => {
  let server: OpsServer;
  const ingested: BodTrigger[][] = [];
  const audited: BodAuditEntry[] = [];
  let ingestFails = false;
  const metrics = createMetrics({ defaultMetrics: false });

  beforeAll(async () => {
    server = await startOpsServer(
      [
        bodRoute({
          auth: { hmacSecrets: ["old-secret-rotated-out-0000", SECRET], bearerTokens: [TOKEN] },
          tenant: "ACME_TST",
          maxBodyBytes: MAX,
          metrics,
          ingest: async (records) => {
            if (ingestFails) throw Object.assign(new Error("redis down"), { code: "ECONNREFUSED" });
            ingested.push(records);
          },
          audit: async (e) => {
            audited.push(e);
          },
        }),
        metricsRoute(metrics.registry),
      ],
      { host: "127.0.0.1", port: 0 },
    );
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    ingested.length = 0;
    audited.length = 0;
    ingestFails = false;
  });

  const post = (body: string | Buffer, headers: Record<string, string>) =>
    httpRequest(server.port, {
      method: "POST",
      path: "/ion/bod",
      headers: { "content-type": "application/xml", ...headers },
      body,
    });
  const signed = (body: string | Buffer) =>
    post(body, { "x-bod-signature": signBody(SECRET, body) });

  it("accepts a signed SyncSupplierInvoice and hands the record to the pipeline", async () => {
    const res = await signed(invoiceXml);
    expect(res.status).toBe(202);
    expect(res.json()).toMatchObject({ status: "accepted", noun: "SupplierInvoice", records: 1 });
    expect(ingested).toHaveLength(1);
    expect(ingested[0]?.[0]).toMatchObject({
      entity: "supplier_invoice",
      source: "bod",
      invoiceNumber: "INV-4711",
      total: { amount: "1240.5", currency: "EUR" },
    });
  });

  it("accepts a bearer token", async () => {
    const res = await post(invoiceXml, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(202);
    expect(ingested).toHaveLength(1);
  });

  it("refuses a bad signature, a signature of another body, a wrong token and no credentials", async () => {
    const tampered = Buffer.from(invoiceXml.toString().replace("1240.50", "9240.50"));
    const replies = await Promise.all([
      post(invoiceXml, { "x-bod-signature": signBody("wrong-secret", invoiceXml) }),
      post(tampered, { "x-bod-signature": signBody(SECRET, invoiceXml) }),
      post(invoiceXml, { "x-bod-signature": "sha256=" }),
      post(invoiceXml, { authorization: `Bearer ${TOKEN}x` }),
      post(invoiceXml, {}),
    ]);
    expect(replies.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    expect(ingested).toHaveLength(0);
  });

  it("refuses a signed billion-laughs document with 400 without expanding it, and audits it", async () => {
    const res = await signed(BILLION_LAUGHS);
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: "bod_doctype_forbidden" });
    expect(res.text).not.toContain("lollol");
    expect(ingested).toHaveLength(0);
    expect(audited[0]).toMatchObject({ type: "ops", data: { code: "bod_doctype_forbidden" } });
  });

  it("refuses a signed external-entity (XXE) document and never reads the file", async () => {
    const hostname = readFileSync("/etc/hostname", "utf8").trim();
    const res = await signed(XXE);
    expect(res.status).toBe(400);
    expect(res.text).not.toContain(hostname);
    expect(JSON.stringify(audited)).not.toContain(hostname);
  });

  it("answers malformed XML with 400 and an audit entry, and keeps serving", async () => {
    const res = await signed("<SyncSupplierInvoice><DataArea></SyncSupplierInvoice>");
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: "bod_malformed_xml" });
    expect(audited).toHaveLength(1);
    expect((await signed(invoiceXml)).status).toBe(202);
  });

  it("refuses a body whose Content-Length is over the bound with 413", async () => {
    const big = Buffer.alloc(MAX + 1, 0x20);
    const res = await post(big, { "x-bod-signature": signBody(SECRET, big) });
    expect(res.status).toBe(413);
  });

  it("refuses a chunked body that grows past the bound with 413 while it streams", async () => {
    let sent = 0;
    async function* chunks() {
      // Up to 16 × the bound; the server must answer long before all of it is sent.
      for (let i = 0; i < 64; i++) {
        sent += 16 * 1024;
        yield Buffer.alloc(16 * 1024, 0x20);
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    const res = await httpRequest(server.port, {
      method: "POST",
      path: "/ion/bod",
      headers: { "x-bod-signature": "sha256=00", "transfer-encoding": "chunked" },
      chunks: chunks(),
    });
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(64 * 16 * 1024);
  });

  it("accepts and ignores an unknown noun", async () => {
    const xml = `<SyncShipment><ApplicationArea><BODID>x</BODID></ApplicationArea><DataArea><Sync/><Shipment/></DataArea></SyncShipment>`;
    const res = await signed(xml);
    expect(res.status).toBe(202);
    expect(res.json()).toMatchObject({
      status: "ignored",
      reason: "unsupported_noun",
      noun: "Shipment",
    });
    expect(ingested).toHaveLength(0);
  });

  it("ignores a BOD for another tenant", async () => {
    const other = invoiceXml
      .toString()
      .replace("<TenantID>ACME_TST</TenantID>", "<TenantID>OTHER_PRD</TenantID>");
    const res = await signed(other);
    expect(res.json()).toMatchObject({ status: "ignored", reason: "other_tenant" });
    expect(ingested).toHaveLength(0);
  });

  it("answers 422 and audits an invoice that names no company", async () => {
    const xml = `<SyncSupplierInvoice><ApplicationArea/><DataArea><Sync><TenantID>ACME_TST</TenantID></Sync><SupplierInvoice><SupplierInvoiceHeader/></SupplierInvoice></DataArea></SyncSupplierInvoice>`;
    const res = await signed(xml);
    expect(res.status).toBe(422);
    expect(audited[0]).toMatchObject({
      data: { code: "bod_invalid_record", noun: "SupplierInvoice" },
    });
  });

  it("answers 503 when the pipeline cannot take the records, so ION retries", async () => {
    ingestFails = true;
    const res = await signed(invoiceXml);
    expect(res.status).toBe(503);
  });

  it("counts every outcome in the metrics", async () => {
    const text = (await httpRequest(server.port, { path: "/metrics" })).text;
    for (const outcome of [
      "accepted",
      "unauthenticated",
      "too_large",
      "malformed",
      "forbidden_doctype",
      "ignored",
      "invalid_record",
      "error",
    ]) {
      expect(text).toMatch(
        new RegExp(`cloudsuite_bod_requests_total\\{outcome="${outcome}"\\} [1-9]`),
      );
    }
    expect(text).toMatch(/cloudsuite_bod_records_total\{entity="supplier_invoice"\} [1-9]/);
  });
});

describe("POST /ion/bod, sparse real-world BODs", () => {
  let server: OpsServer;
  const ingested: BodTrigger[][] = [];
  const lnXml = readFileSync(
    new URL("../fixtures/bod-ln-sparse-sync-purchase-order.xml", import.meta.url),
  );

  beforeAll(async () => {
    server = await startOpsServer(
      [
        bodRoute({
          auth: { hmacSecrets: [SECRET] },
          tenant: "TEST_TST",
          ingest: async (records) => {
            ingested.push(records);
          },
        }),
      ],
      { host: "127.0.0.1", port: 0 },
    );
  });
  afterAll(async () => {
    await server.close();
  });

  const signed = (body: string | Buffer) =>
    httpRequest(server.port, {
      method: "POST",
      path: "/ion/bod",
      headers: { "content-type": "application/xml", "x-bod-signature": signBody(SECRET, body) },
      body,
    });

  it("a sparse LN SyncPurchaseOrder (no supplier, dates or lines) triggers its poll, not 422", async () => {
    ingested.length = 0;
    const res = await signed(lnXml);
    expect(res.status).toBe(202);
    expect(res.json()).toMatchObject({ status: "accepted", records: 1, sparse: 1 });
    expect(ingested[0]).toEqual([
      { tenant: "TEST_TST", company: "3555", division: "", entity: "purchase_order" },
    ]);
  });

  it("a noun without any company is still refused with 422", async () => {
    const xml = `<SyncSupplierInvoice><ApplicationArea/><DataArea><Sync/><SupplierInvoice><SupplierInvoiceHeader/></SupplierInvoice></DataArea></SyncSupplierInvoice>`;
    const res = await signed(xml);
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.json())).toMatch(/no company/);
  });
});
