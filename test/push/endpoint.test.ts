import { Queue } from "bullmq";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pushIngest } from "../../src/app/push.ts";
import { signBody } from "../../src/ops/bod/auth.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import { pushRoute } from "../../src/ops/push/handler.ts";
import { type OpsServer, startOpsServer } from "../../src/ops/routes.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { PUSH_READ_JOB_NAME, type PushReadJobData } from "../../src/sync/schedules.ts";
import { httpRequest } from "../ops/helpers.ts";
import { cleanup, connect, uniquePrefix } from "../sync/helpers.ts";

/**
 * POST /m3/events against a real BullMQ queue in Redis: what is refused leaves no key behind
 * (credentials are checked over the raw bytes before any parse or write), what is accepted
 * queues one read per record.
 */
const SECRET = "push-test-secret-0123456789abcdef";
const TOKEN = "push-test-bearer-token-abcdef012345";
const MAX = 8 * 1024;

let redis: RedisClient;
let prefix: string;
let queue: Queue;
let server: OpsServer;
const metrics = createMetrics({ defaultMetrics: false });

const invoiceEvent = (inbn: string, table = "FAPIBH") => ({
  publisher: "M3",
  documentName: table,
  operation: "U",
  elementValues: { CONO: "100", DIVI: "AAA", INBN: inbn },
  elementOldValues: { CONO: "100", DIVI: "AAA", INBN: inbn },
  program: "APS450",
  user: "JDOE",
});

beforeAll(async () => {
  redis = connect();
  prefix = uniquePrefix("push-endpoint");
  queue = new Queue("sync-polls", { connection: redis, prefix: `${prefix}bull` });
  server = await startOpsServer(
    [
      pushRoute({
        auth: { hmacSecrets: [SECRET], bearerTokens: [TOKEN] },
        maxBodyBytes: MAX,
        bodyTimeoutMs: 300,
        metrics,
        ingest: pushIngest({
          queue,
          tenant: "ACME_TST",
          logger: pino({ level: "silent" }),
          schedules: [
            {
              tenant: "ACME_TST",
              company: "100",
              division: "AAA",
              entity: "supplier_invoice",
              everyMs: 300_000,
            },
            {
              tenant: "ACME_TST",
              company: "100",
              division: "AAA",
              entity: "purchase_order",
              everyMs: 300_000,
            },
          ],
        }),
      }),
    ],
    { host: "127.0.0.1", port: 0 },
  );
});

afterAll(async () => {
  await server.close();
  await queue.close();
  await cleanup(redis, prefix);
  await redis.quit();
});

beforeEach(async () => {
  await cleanup(redis, prefix);
});

// Keys a request left behind; BullMQ's own `meta` key (written when the queue is first used) is
// not the request's doing.
const keyCount = async () =>
  (await redis.keys(`${prefix}*`)).filter((k) => !k.endsWith(":meta")).length;

const post = (body: string | Buffer, headers: Record<string, string>) =>
  httpRequest(server.port, {
    method: "POST",
    path: "/m3/events",
    headers: { "content-type": "application/json", ...headers },
    body,
  });

async function queued(): Promise<PushReadJobData[]> {
  const jobs = await queue.getJobs(["waiting", "delayed", "prioritized"]);
  return jobs.filter((j) => j.name === PUSH_READ_JOB_NAME).map((j) => j.data as PushReadJobData);
}

describe("POST /m3/events", () => {
  it("queues one read per record: a head and its line in one request are one read", async () => {
    const body = JSON.stringify([invoiceEvent("4711"), invoiceEvent("4711", "FAPIBL")]);
    const res = await post(body, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(202);
    expect(res.json()).toMatchObject({ status: "accepted", events: 2, targets: 1 });
    const jobs = await queued();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.target).toEqual({ entity: "supplier_invoice", batchNumber: "4711" });
    expect(jobs[0]?.schedule).toMatchObject({
      company: "100",
      division: "AAA",
      entity: "supplier_invoice",
    });
  });

  it("accepts an HMAC signature of the raw body", async () => {
    const body = JSON.stringify(invoiceEvent("4712"));
    const res = await post(body, { "x-push-signature": signBody(SECRET, body) });
    expect(res.status).toBe(202);
    expect(await queued()).toHaveLength(1);
  });

  it("answers 202 for unknown tables and head deletes, counts them, queues nothing", async () => {
    const body = JSON.stringify({
      events: [
        { documentName: "OOHEAD", operation: "U", elementValues: { CONO: "100", ORNO: "1" } },
        { documentName: "FCHACC", operation: "U", elementValues: { CONO: "100" } },
        { documentName: "FAPIBH", operation: "D", elementOldValues: { CONO: "100", INBN: "1" } },
      ],
    });
    const res = await post(body, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(202);
    expect(res.json()).toMatchObject({
      status: "ignored",
      targets: 0,
      ignored: { unknown_table: 2, head_deleted: 1 },
    });
    expect(await keyCount()).toBe(0);
    const counted = (await metrics.pushEvents.get()).values;
    const n = (outcome: string) => counted.find((v) => v.labels.outcome === outcome)?.value ?? 0;
    expect(n("unknown_table")).toBe(2);
    expect(n("head_deleted")).toBe(1);
  });

  it("a company no schedule polls queues nothing", async () => {
    const e = invoiceEvent("1");
    e.elementValues.CONO = "999";
    const res = await post(JSON.stringify(e), { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(202);
    expect(await keyCount()).toBe(0);
  });

  it("refuses without credentials, with a wrong token or signature: 401, no key written", async () => {
    const body = JSON.stringify(invoiceEvent("4713"));
    expect((await post(body, {})).status).toBe(401);
    expect((await post(body, { authorization: "Bearer wrong-token-0123456789" })).status).toBe(401);
    const forged = signBody("not-the-secret-0123456789abcdef", body);
    expect((await post(body, { "x-push-signature": forged })).status).toBe(401);
    // A signature of another body does not cover this one.
    const other = signBody(SECRET, JSON.stringify(invoiceEvent("1")));
    expect((await post(body, { "x-push-signature": other })).status).toBe(401);
    expect(await keyCount()).toBe(0);
  });

  it("refuses an oversized body with 413, declared or streamed, before reading it all", async () => {
    const big = JSON.stringify({ events: Array.from({ length: 400 }, () => invoiceEvent("1")) });
    expect(big.length).toBeGreaterThan(MAX);
    const declared = await post(big, { authorization: `Bearer ${TOKEN}` });
    expect(declared.status).toBe(413);
    const streamed = await httpRequest(server.port, {
      method: "POST",
      path: "/m3/events",
      headers: { authorization: `Bearer ${TOKEN}` },
      chunks: (function* () {
        for (let i = 0; i < 20; i++) yield Buffer.alloc(1024, 0x20);
      })(),
    });
    expect(streamed.status).toBe(413);
    expect(await keyCount()).toBe(0);
  });

  it("refuses malformed JSON, non-events and too many events with 400, no key written", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const bad = await post("{not json", auth);
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ error: "malformed_json" });
    expect((await post('"a string"', auth)).json()).toMatchObject({ error: "not_events" });
    const many = JSON.stringify(Array.from({ length: 501 }, () => ({})));
    expect((await post(many, auth)).json()).toMatchObject({ error: "too_many_events" });
    expect(await keyCount()).toBe(0);
  });

  it("answers 408 when the body does not arrive in time", async () => {
    const res = await httpRequest(server.port, {
      method: "POST",
      path: "/m3/events",
      headers: { authorization: `Bearer ${TOKEN}` },
      chunks: (async function* () {
        yield Buffer.from("[");
        await new Promise((r) => setTimeout(r, 800));
        yield Buffer.from("]");
      })(),
    });
    expect(res.status).toBe(408);
    expect(await keyCount()).toBe(0);
  });

  it("events without their keys are listed by index; the rest are still read", async () => {
    const body = JSON.stringify([
      { documentName: "FAPIBH", operation: "U", elementValues: { CONO: "100" } },
      invoiceEvent("4714"),
    ]);
    const res = await post(body, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(202);
    expect(res.json()).toMatchObject({
      targets: 1,
      invalid: [{ index: 0, reason: "FAPIBH: INBN missing" }],
    });
    expect(await queued()).toHaveLength(1);
  });
});
