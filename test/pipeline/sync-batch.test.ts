import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { cleanup, connect, matchPolicy, uniquePrefix } from "./helpers.ts";
import { backfillSim } from "./sim-run.ts";

/**
 * The invoice poll with the page's POs read in set-based reads (`batchScope`) against the same
 * data read PO by PO: the same alerts (ids, kinds, exception types), in both sim modes, for
 * fewer ION requests.
 */
let redis: RedisClient;
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

async function importOnce(strict: boolean, batch: boolean, prefetch = false): Promise<Run> {
  const prefix = uniquePrefix(
    `sync-batch-${strict ? "strict" : "open"}-${batch ? "b" : "r"}${prefetch ? "p" : ""}`,
  );
  prefixes.push(prefix);
  const run = await backfillSim(
    redis,
    prefix,
    {
      seed: 11,
      data: { suppliersPerCompany: 4, purchaseOrders: 40, invoices: 40, manualVouchers: 1 },
      ...(strict ? { strict: true } : {}),
    },
    matchPolicy,
    // Pages of 8 invoices: the prefetch of a page overlaps the handling of the page before.
    { batch, ...(prefetch ? { prefetch, pageSize: 8 } : {}) },
  );
  await run.close();
  return {
    alerts: run.alerts
      .map((a) => `${a.id} ${a.kind} ${a.recordKey} ${a.exception?.type ?? ""} ${a.channel}`)
      .sort(),
    invoiceRequests: run.invoiceRequests,
    invoices: run.invoices,
  };
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
      // The next page's POs read when it arrives: the same alerts, fewer requests than per record.
      const prefetched = await importOnce(strict, true, true);
      expect(prefetched.alerts).toEqual(perRecord.alerts);
      expect(prefetched.invoiceRequests).toBeLessThan(perRecord.invoiceRequests);
    }, 120_000);
  },
);
