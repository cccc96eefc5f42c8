import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import type { Alert } from "../../src/alerts/alert.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { cleanup, connect, matchPolicy, uniquePrefix } from "./helpers.ts";
import { backfillSim, type SimRun } from "./sim-run.ts";

/**
 * The simulator's built-in exception cases (generated in every data set, company 100 / division
 * AAA), imported by a deliberate backfill through sync and the pipeline: each comes out as the
 * exception a clerk would expect, read through the real M3 client and mappers.
 */
let redis: RedisClient;
let sim: InforSim;
let run: SimRun | undefined;
const prefix = uniquePrefix("pipeline-scenarios");
let alerts: Alert[] = [];

beforeAll(async () => {
  redis = connect();
  run = await backfillSim(redis, prefix, {}, matchPolicy);
  sim = run.sim;
  alerts = run.alerts;
});

afterAll(async () => {
  await run?.close();
  if (redis) {
    await cleanup(redis, prefix);
    await redis.quit();
  }
});

function exceptionsOf(batch: number): string[] {
  return (
    alerts
      .filter((a) => a.kind === "exception.opened")
      .filter((a) => (a.record as { batchNumber?: string } | undefined)?.batchNumber === `${batch}`)
      // Every exception line of the invoice's one message.
      .flatMap((a) => (a.document?.lines ?? []).map((l) => l.exception.type))
  );
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
