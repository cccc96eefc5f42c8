import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInforSim } from "../../sandbox/infor-sim/server.ts";
import type { Alert } from "../../src/alerts/alert.ts";
import { createInforClient } from "../../src/infor/create-client.ts";
import { parseIonapi } from "../../src/infor/ionapi.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import { createExceptionTracker } from "../../src/pipeline/exception-tracker.ts";
import { lookupsFromSources } from "../../src/pipeline/lookups.ts";
import { createAlertSink } from "../../src/sync/alert-sink.ts";
import { runPoll } from "../../src/sync/poll.ts";
import { cleanup, connect, matchPolicy, routingPolicy, uniquePrefix } from "./helpers.ts";

/**
 * The invoice poll with the page's POs read in set-based reads (`batchScope`) against the same
 * data read PO by PO: the same alerts (ids, kinds, exception types), in both sim modes, for
 * fewer ION requests.
 */
let redis: Redis;
const prefixes: string[] = [];

beforeAll(() => {
  redis = connect();
});

afterAll(async () => {
  for (const p of prefixes) await cleanup(redis, p);
  await redis.quit();
});

interface Run {
  alerts: string[];
  invoiceRequests: number;
  invoices: number;
}

async function importOnce(strict: boolean, batch: boolean): Promise<Run> {
  const prefix = uniquePrefix(`sync-batch-${strict ? "strict" : "open"}-${batch ? "b" : "r"}`);
  prefixes.push(prefix);
  const sim = await startInforSim({
    port: 0,
    seed: 11,
    data: { suppliersPerCompany: 4, purchaseOrders: 40, invoices: 40, manualVouchers: 1 },
    ...(strict ? { strict: true } : {}),
  });
  const client = createInforClient({
    credentials: parseIonapi(sim.ionapi),
    requestsPerMinute: 100_000,
    company: "100",
    division: "AAA",
    retry: { baseMs: 10, capMs: 100, maxAttempts: 4 },
  });
  try {
    const source = createM3Source(client.mi, {
      tenant: sim.tenant,
      company: "100",
      division: "AAA",
    });
    const tracker = createExceptionTracker({
      redis,
      prefix,
      lookups: lookupsFromSources(() => source),
      matchPolicy,
      routingPolicy,
    });
    const alerts: Alert[] = [];
    const sink = createAlertSink({
      enqueue: async (a) => {
        alerts.push(a);
      },
      audit: { append: async () => "0-0" },
      opsChannel: "COPS",
      defaultChannel: "CDEFAULT",
      extraAlerts: (event) => tracker.onChange(event),
      ...(batch ? { batchScope: tracker.withBatch } : {}),
    });
    let invoiceRequests = 0;
    let invoices = 0;
    for (const entity of ["purchase_order", "supplier_invoice"] as const) {
      const before = sim.control.counters().apiRequests;
      const r = await runPoll(
        { redis, prefix, sourceFactory: () => source, sink },
        {
          schedule: {
            tenant: sim.tenant,
            company: "100",
            division: "AAA",
            entity,
            everyMs: 60_000,
          },
          mode: "backfill",
          since: "2025-01-01",
        },
      );
      if (entity === "supplier_invoice" && r.status !== "skipped_busy") {
        invoiceRequests = sim.control.counters().apiRequests - before;
        invoices = r.counts.new;
      }
    }
    return {
      alerts: alerts
        .map((a) => `${a.id} ${a.kind} ${a.recordKey} ${a.exception?.type ?? ""} ${a.channel}`)
        .sort(),
      invoiceRequests,
      invoices,
    };
  } finally {
    await client.close();
    await sim.close();
  }
}

describe.each([false, true])(
  "invoice import with the page's POs read ahead (strict %s)",
  (strict) => {
    it("gives the same alerts as PO-by-PO reads for fewer ION requests", async () => {
      const perRecord = await importOnce(strict, false);
      const batched = await importOnce(strict, true);
      expect(perRecord.invoices).toBeGreaterThanOrEqual(20);
      expect(perRecord.alerts.some((a) => a.includes(" exception.opened "))).toBe(true);
      expect(batched.alerts).toEqual(perRecord.alerts);
      expect(batched.invoices).toBe(perRecord.invoices);
      // Per record: three reads per PO an invoice names; read ahead: three per chunk of POs. In
      // strict mode PO lines and receipts come from MI list calls per PO: only heads are saved.
      expect(batched.invoiceRequests).toBeLessThan(perRecord.invoiceRequests / (strict ? 1.4 : 3));
    }, 60_000);
  },
);
