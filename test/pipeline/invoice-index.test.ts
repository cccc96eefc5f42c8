import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordKey } from "../../src/infor/records.ts";
import { createInvoiceIndex } from "../../src/pipeline/invoice-index.ts";
import { pipelineKeys } from "../../src/pipeline/keys.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { cleanup, connect, invoice, uniquePrefix } from "./helpers.ts";

/**
 * A page's view of the suppliers' invoices (one read per supplier) answers `all` as Redis
 * would: with the page's own writes, and with another writer's once a write notices it.
 */
let redis: RedisClient;
const prefix = uniquePrefix("invoice-index");

beforeAll(() => {
  redis = connect();
});

afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

const keys = (all: { invoiceNumber: string }[]) => all.map((i) => i.invoiceNumber);

describe("invoice index view", () => {
  it("answers like RedisClient through the page's writes, other writers and trimming", async () => {
    const o = { redis, keys: pipelineKeys(prefix), maxPerSupplier: 4, ttlMs: 60_000 };
    const index = createInvoiceIndex(o);
    const other = createInvoiceIndex(o);
    const inv = (n: number, date = "2026-11-20") =>
      invoice({ invoiceNumber: `INV-${n}`, batchNumber: String(n), invoiceDate: date });
    await index.remember(inv(1));
    const view = await index.load([inv(2), inv(3)]);
    expect(keys(await index.all(inv(2), view))).toEqual(["INV-1"]);

    await index.remember(inv(2), view);
    expect(keys(await index.all(inv(2), view))).toEqual(keys(await index.all(inv(2))));
    expect(keys(await index.all(inv(2), view))).toEqual(["INV-1", "INV-2"]);

    // Another division's poll writes to the same supplier: the next write sees the length move.
    await other.remember(inv(7));
    await index.remember(inv(3), view);
    expect(keys(await index.all(inv(3), view))).toEqual(["INV-1", "INV-2", "INV-3", "INV-7"]);

    // Past the bound the oldest invoice date goes, in Redis and in the view alike.
    await index.remember(inv(4, "2026-11-25"), view);
    expect(keys(await index.all(inv(4), view))).toEqual(keys(await index.all(inv(4))));
    expect(await index.all(inv(4), view)).toHaveLength(4);
    const own = recordKey(inv(3));
    expect((await index.others(inv(3), view)).map(recordKey)).not.toContain(own);
  });
});
