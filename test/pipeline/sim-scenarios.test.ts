import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import type { Alert } from "../../src/alerts/alert.ts";
import { createInforClient, type InforClient } from "../../src/infor/create-client.ts";
import { parseIonapi } from "../../src/infor/ionapi.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import { createExceptionTracker } from "../../src/pipeline/exception-tracker.ts";
import { lookupsFromSources } from "../../src/pipeline/lookups.ts";
import { createAlertSink } from "../../src/sync/alert-sink.ts";
import { runPoll } from "../../src/sync/poll.ts";
import { cleanup, connect, matchPolicy, routingPolicy, uniquePrefix } from "./helpers.ts";

/**
 * The simulator's built-in exception cases (generated in every data set, company 100 / division
 * AAA), imported by a deliberate backfill through sync and the pipeline: each comes out as the
 * exception a clerk would expect, read through the real M3 client and mappers.
 */
let redis: Redis;
let sim: InforSim;
let client: InforClient;
const prefix = uniquePrefix("pipeline-scenarios");
const alerts: Alert[] = [];

beforeAll(async () => {
  redis = connect();
  sim = await startInforSim({
    port: 0,
    seed: 5,
    data: { suppliersPerCompany: 4, purchaseOrders: 6, invoices: 6, manualVouchers: 1 },
  });
  client = createInforClient({
    credentials: parseIonapi(sim.ionapi),
    requestsPerMinute: 100_000,
    company: "100",
    division: "AAA",
    retry: { baseMs: 10, capMs: 100, maxAttempts: 4 },
  });
  const source = createM3Source(client.mi, { tenant: sim.tenant, company: "100", division: "AAA" });
  const tracker = createExceptionTracker({
    redis,
    prefix,
    lookups: lookupsFromSources(() => source),
    matchPolicy,
    routingPolicy,
  });
  const sink = createAlertSink({
    enqueue: async (a) => {
      alerts.push(a);
    },
    audit: { append: async () => "0-0" },
    opsChannel: "COPS",
    defaultChannel: "CDEFAULT",
    extraAlerts: (event) => tracker.onChange(event),
  });
  for (const entity of ["purchase_order", "supplier_invoice"] as const) {
    await runPoll(
      { redis, prefix, sourceFactory: () => source, sink },
      {
        schedule: { tenant: sim.tenant, company: "100", division: "AAA", entity, everyMs: 60_000 },
        mode: "backfill",
        since: "2025-01-01",
      },
    );
  }
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
  if (redis) {
    await cleanup(redis, prefix);
    await redis.quit();
  }
});

function exceptionsOf(batch: number): string[] {
  return alerts
    .filter((a) => a.kind === "exception.opened")
    .filter((a) => (a.record as { batchNumber?: string } | undefined)?.batchNumber === `${batch}`)
    .map((a) => a.exception?.type ?? "?");
}

describe("simulator exception cases through sync and the pipeline", () => {
  it("price variance, quantity over receipt, missing receipt and currency each open their exception", () => {
    const s = sim.control.scenarios();
    const first = (key: keyof typeof s) => s[key][0] as number;
    expect(exceptionsOf(first("priceVariance"))).toContain("price_variance");
    expect(exceptionsOf(first("qtyOverReceipt"))).toEqual(["quantity_over_received"]);
    expect(exceptionsOf(first("missingReceipt"))).toEqual(["no_receipt"]);
    expect(exceptionsOf(first("otherCurrency"))).toContain("currency_mismatch");
    // Opened in the channel of the cost center that owns them, or the default channel.
    for (const a of alerts.filter((x) => x.kind === "exception.opened")) {
      expect(["CDEFAULT", "C100", "C200"]).toContain(a.channel);
    }
  });

  it("two M3 batches with one supplier invoice number stay two invoices: the later is a duplicate", () => {
    const [original, copy] = sim.control.scenarios().duplicateNumber as [number, number];
    // Old identity (supplier + number) merged both batches into one record: nothing flagged.
    expect(exceptionsOf(copy)).toContain("duplicate_number");
    const keys = (batch: number) =>
      new Set(
        alerts
          .filter(
            (a) => (a.record as { batchNumber?: string } | undefined)?.batchNumber === `${batch}`,
          )
          .map((a) => a.recordKey.split("#")[0]),
      );
    for (const k of keys(copy)) expect(keys(original).has(k)).toBe(false);
  });
});
