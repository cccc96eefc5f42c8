import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineKeys } from "../../src/pipeline/keys.ts";
import { createStateStore } from "../../src/pipeline/state-store.ts";
import type { InvoiceState } from "../../src/pipeline/types.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { cleanup, connect, invoice, uniquePrefix } from "./helpers.ts";

let redis: RedisClient;
const prefix = uniquePrefix("pipeline-store");

beforeAll(() => {
  redis = connect();
});
afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

function state(deps: string[]): InvoiceState {
  return { invoice: invoice(), open: [], occurrences: { mx_1: 1 }, deps };
}

describe("pipeline state store (commit.lua)", () => {
  const keys = pipelineKeys(prefix);
  const store = () => createStateStore({ redis, keys, stateTtlMs: 60_000, memoTtlMs: 60_000 });

  it("commits states, dependents and the memo together, and refuses a stale revision", async () => {
    const memo = { alerts: [], closes: [{ approvalId: "apv_1", reason: "r" }] };
    const ok = await store().commit("m1", memo, [
      { invoiceKey: "inv:A", expectedRev: 0, next: state(["po:T1:100:1"]), previousDeps: [] },
    ]);
    expect(ok).toBe(true);
    expect((await store().load("inv:A")).rev).toBe(1);
    expect(await store().dependents("po:T1:100:1")).toEqual(["inv:A"]);
    expect(await store().getMemo("m1")).toEqual(memo);
    expect(await redis.pttl(keys.invoice("inv:A"))).toBeGreaterThan(0);

    // A second writer that read revision 0 loses: nothing of its commit is written.
    const stale = await store().commit("m2", memo, [
      { invoiceKey: "inv:A", expectedRev: 0, next: state(["po:T1:100:2"]), previousDeps: [] },
    ]);
    expect(stale).toBe(false);
    expect(await store().getMemo("m2")).toBeUndefined();
    expect(await store().dependents("po:T1:100:2")).toEqual([]);

    // Moving the dependency: registered under the new PO, gone from the old one.
    const moved = await store().commit("m3", undefined, [
      {
        invoiceKey: "inv:A",
        expectedRev: 1,
        next: state(["po:T1:100:2"]),
        previousDeps: ["po:T1:100:1"],
      },
    ]);
    expect(moved).toBe(true);
    expect(await store().dependents("po:T1:100:1")).toEqual([]);
    expect(await store().dependents("po:T1:100:2")).toEqual(["inv:A"]);
    expect((await store().load("inv:A")).rev).toBe(2);

    // Deleting a state removes it from every dependents set.
    await store().commit("m4", undefined, [
      { invoiceKey: "inv:A", expectedRev: 2, next: undefined, previousDeps: ["po:T1:100:2"] },
    ]);
    expect(await store().load("inv:A")).toEqual({ rev: 0, state: undefined });
    expect(await store().dependents("po:T1:100:2")).toEqual([]);
  });

  it("reports a corrupt state with a stable code", async () => {
    await redis.hset(keys.invoice("inv:BAD"), "rev", "1", "data", "{not json");
    await expect(store().load("inv:BAD")).rejects.toMatchObject({ code: "state_corrupt" });
  });
});
