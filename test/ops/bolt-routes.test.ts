import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../src/ops/bod/auth.ts";
import type { BodTrigger } from "../../src/ops/bod/handler.ts";
import { createHealth } from "../../src/ops/health.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import { opsRoutes } from "../../src/ops/ops-routes.ts";
import { httpRequest } from "./helpers.ts";

/** The same routes mounted as Bolt `customRoutes` on its HTTP receiver (role web). */
describe("ops routes inside Bolt", () => {
  const SECRET = "bolt-bod-secret-0123456789";
  const ingested: BodTrigger[] = [];
  let app: App;
  let port = 0;

  beforeAll(async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    app = new App({
      signingSecret: "bolt-signing-secret",
      token: "xoxb-test",
      // Skips auth.test in the constructor (toolchain notes).
      botId: "B0TEST",
      botUserId: "U0TEST",
      customRoutes: opsRoutes({
        health: createHealth({ readiness: [] }),
        metrics,
        bod: {
          auth: { hmacSecrets: [SECRET] },
          tenant: "ACME_TST",
          maxBodyBytes: 32 * 1024,
          ingest: async (records) => {
            ingested.push(...records);
          },
        },
      }),
    });
    const server = (await app.start(0)) as Server;
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.stop();
  });

  it("answers /healthz, /readyz and /metrics", async () => {
    expect((await httpRequest(port, { path: "/healthz" })).status).toBe(200);
    expect((await httpRequest(port, { path: "/readyz" })).json()).toMatchObject({ status: "ok" });
    expect((await httpRequest(port, { path: "/metrics" })).text).toContain(
      "cloudsuite_bod_requests_total",
    );
  });

  it("takes a signed BOD through Bolt's receiver with the raw body intact", async () => {
    const xml = readFileSync(new URL("./fixtures/sync-supplier-invoice.xml", import.meta.url));
    const res = await httpRequest(port, {
      method: "POST",
      path: "/ion/bod",
      headers: { "x-bod-signature": signBody(SECRET, xml), "content-type": "application/xml" },
      body: xml,
    });
    expect(res.status).toBe(202);
    expect(ingested.map((r) => r.entity)).toEqual(["supplier_invoice"]);
  });

  it("refuses an oversized body with 413 through Bolt too", async () => {
    const big = Buffer.alloc(64 * 1024, 0x20);
    const res = await httpRequest(port, {
      method: "POST",
      path: "/ion/bod",
      headers: { "x-bod-signature": signBody(SECRET, big) },
      body: big,
    });
    expect(res.status).toBe(413);
  });
});
