import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MatchPolicy } from "../../src/rules/match-policy.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { cleanup, connect, matchPolicy, uniquePrefix } from "./helpers.ts";
import { backfillSim, openedByBatch } from "./sim-run.ts";

/**
 * Whether M3 adds an invoice to the PO line's invoiced quantity (IVQA) at entry or on posting is
 * not public: the sim serves either, and the `invoicedQtyCountedAt` setting reads either. A tenant
 * read with the right setting flags only the built-in over-receipt case; the invoice itself is
 * never counted twice.
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

const entry: MatchPolicy = {
  ...matchPolicy,
  companies: { "100": { settings: { invoicedQtyCountedAt: "entry" } } },
};

async function quantityFlags(
  simMode: "posting" | "entry",
  policy: MatchPolicy,
): Promise<{ flagged: string[]; overReceipt: string }> {
  const prefix = uniquePrefix(`ivqa-${simMode}`);
  prefixes.push(prefix);
  const run = await backfillSim(redis, prefix, { m3InvoicedQtyAt: simMode }, policy);
  try {
    const flagged = [...openedByBatch(run.alerts)]
      .filter(([, types]) => types.includes("quantity_over_received"))
      .map(([batch]) => batch)
      .sort();
    return { flagged, overReceipt: String(run.sim.control.scenarios().qtyOverReceipt[0]) };
  } finally {
    await run.close();
  }
}

describe("PO line invoiced quantity (IVQA) counted at entry or on posting", () => {
  it("tenant counts on posting, default setting: only the over-receipt case", async () => {
    const { flagged, overReceipt } = await quantityFlags("posting", matchPolicy);
    expect(flagged).toEqual([overReceipt]);
  }, 30_000);

  it("tenant counts at entry, setting entry: only the over-receipt case", async () => {
    const { flagged, overReceipt } = await quantityFlags("entry", entry);
    expect(flagged).toEqual([overReceipt]);
  }, 30_000);

  it("tenant counts at entry, default (cautious) setting: clean invoices are flagged for review", async () => {
    const { flagged, overReceipt } = await quantityFlags("entry", matchPolicy);
    expect(flagged).toContain(overReceipt);
    expect(flagged.length).toBeGreaterThan(1);
  }, 30_000);

  it("tenant counts on posting, setting entry: the over-receipt case is still caught", async () => {
    const { flagged, overReceipt } = await quantityFlags("posting", entry);
    expect(flagged).toContain(overReceipt);
  }, 30_000);
});
