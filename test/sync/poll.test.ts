import { beforeEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/ops/metrics.ts";
import type { SyncDeps, SyncMetrics } from "../../src/sync/deps.ts";
import { syncKeys } from "../../src/sync/keys.ts";
import { runPoll } from "../../src/sync/poll.ts";
import {
  FakeSource,
  fileRedis,
  manualClock,
  po,
  poSchedule,
  RecordingSink,
  scope,
} from "./helpers.ts";

const { redis, newPrefix } = fileRedis("poll");

let source: FakeSource;
let sink: RecordingSink;
let clock: ReturnType<typeof manualClock>;
let deps: SyncDeps;
let prefix: string;
const key = { tenant: scope.tenant, company: scope.company, division: scope.division };
const wmKey = () => syncKeys(prefix).watermark({ ...key, entity: "purchase_order" as const });

beforeEach(() => {
  prefix = newPrefix();
  source = new FakeSource();
  sink = new RecordingSink();
  clock = manualClock("2026-12-01T08:00:00Z");
  deps = { redis, prefix, sourceFactory: () => source, sink, clock: clock.now };
});

describe("first run", () => {
  it("starts from now: learns the overlap window's hashes and emits nothing", async () => {
    source.put("1", po("4000001", "2026-11-30"));
    source.put("2", po("4000002", "2026-01-15"));
    const r = await runPoll(deps, { schedule: poSchedule() });
    expect(r.status).toBe("primed");
    expect(source.reads).toEqual([{ entity: "purchase_order", since: "2026-11-30" }]);
    expect(sink.events()).toHaveLength(0);
    expect(await redis.get(wmKey())).toBe("2026-12-01");

    // The record primed yesterday stays quiet on the next poll; only real changes alert.
    source.put("3", po("4000003", "2026-12-01"));
    const r2 = await runPoll(deps, { schedule: poSchedule() });
    expect(r2.status === "done" && r2.counts).toMatchObject({ new: 1, unchanged: 1 });
    expect(sink.events().map((e) => e.record)).toMatchObject([{ number: "4000003" }]);
  });

  it("from a configured date imports history since that date", async () => {
    source.put("1", po("4000001", "2026-11-02"));
    source.put("2", po("4000002", "2026-10-01"));
    const r = await runPoll(deps, { schedule: poSchedule({ startFrom: "2026-11-01" }) });
    expect(r.status).toBe("done");
    expect(sink.events().map((e) => e.kind)).toEqual(["new"]);
    expect(await redis.get(wmKey())).toBe("2026-11-02");
  });
});

describe("polling", () => {
  beforeEach(async () => {
    source.put("1", po("4000001", "2026-11-30"));
    source.put("2", po("4000002", "2026-11-30"));
    await runPoll(deps, { schedule: poSchedule() });
  });

  it("alerts exactly the new and changed records, with the changed fields", async () => {
    source.put("1", po("4000001", "2026-12-01", { total: { amount: "150.00", currency: "EUR" } }));
    source.put("3", po("4000003", "2026-12-01"));
    const r = await runPoll(deps, { schedule: poSchedule() });
    expect(r.status === "done" && r.counts).toMatchObject({ new: 1, updated: 1, unchanged: 1 });
    const byKind = Object.fromEntries(sink.events().map((e) => [e.kind, e]));
    expect(byKind.updated?.changes).toEqual([
      { path: "total.amount", before: "100", after: "150", currency: "EUR" },
    ]);
    expect(byKind.updated?.rev).toBe(2);
    expect(byKind.new?.record).toMatchObject({ number: "4000003" });

    // Nothing changed: nothing emitted, however often it is re-read.
    await runPoll(deps, { schedule: poSchedule() });
    expect(sink.events()).toHaveLength(2);
  });

  it("re-reads from the watermark minus the overlap and catches a late-dated change", async () => {
    clock.set("2026-12-03T08:00:00Z");
    source.put("9", po("4000009", "2026-12-03"));
    await runPoll(deps, { schedule: poSchedule() });
    expect(await redis.get(wmKey())).toBe("2026-12-03");
    // The ERP's clock is behind ours: a change stamped the day before the watermark.
    source.put("8", po("4000008", "2026-12-02"));
    await runPoll(deps, { schedule: poSchedule() });
    expect(source.reads.at(-1)?.since).toBe("2026-12-02");
    expect(sink.events().map((e) => (e.record as { number: string }).number)).toEqual([
      "4000009",
      "4000008",
    ]);
  });

  it("a far-future change date does not drag the watermark past today + 1", async () => {
    source.put("7", po("4000007", "2099-01-01"));
    await runPoll(deps, { schedule: poSchedule() });
    expect(sink.events()).toHaveLength(1);
    expect(await redis.get(wmKey())).toBe("2026-12-02");
  });

  it("shadow mode hands events to the sink as shadow and counts them", async () => {
    source.put("3", po("4000003", "2026-12-01"));
    const r = await runPoll({ ...deps, shadow: true }, { schedule: poSchedule() });
    expect(r.status === "done" && r.counts.shadow).toBe(1);
    expect(sink.batches.map((b) => b.shadow)).toEqual([true]);
  });

  it("routes each event and counts the ones that fell back to the default channel", async () => {
    source.put("3", po("4000003", "2026-12-01", { costCenter: "CC99" }));
    source.put("4", po("4000004", "2026-12-01"));
    const route: SyncDeps["route"] = (r) =>
      "costCenter" in r && r.costCenter === "CC10"
        ? { channel: "C_CC10", fallback: false }
        : { channel: "C_DEFAULT", fallback: true };
    const r = await runPoll({ ...deps, route }, { schedule: poSchedule() });
    expect(r.status === "done" && r.counts.unrouted).toBe(1);
    expect(sink.events().map((e) => e.route?.channel)).toEqual(["C_DEFAULT", "C_CC10"]);
  });
});

describe("quarantine", () => {
  it("quarantines a malformed record, delivers its neighbours, and reports it once", async () => {
    await runPoll(deps, { schedule: poSchedule({ prime: false }) });
    source.put("1", po("4000001", "2026-12-01"));
    source.put("2", po("4000002", "2026-12-01", { total: { amount: "12,50", currency: "EUR" } }));
    source.put("3", po("4000003", "2026-12-01"));
    const r = await runPoll(deps, { schedule: poSchedule({ pageSize: 2 }) });
    expect(r.status === "done" && r.counts).toMatchObject({ new: 2, quarantined: 1 });
    expect(sink.events().map((e) => (e.record as { number: string }).number)).toEqual([
      "4000001",
      "4000003",
    ]);
    expect(sink.quarantines).toHaveLength(1);
    const item = sink.quarantines[0]?.items[0];
    expect(item?.reason).toMatch(/^total\.amount: /);
    expect(item?.ref).toBe("purchase_order 4000002");

    // Re-read in the overlap window: still quarantined, not reported again.
    await runPoll(deps, { schedule: poSchedule() });
    expect(sink.quarantines).toHaveLength(1);
  });

  it("quarantines rows the mapper rejected and records of another scope", async () => {
    await runPoll(deps, { schedule: poSchedule({ prime: false }) });
    const page = {
      records: [po("4000001", "2026-12-01"), po("4000002", "2026-12-01", { company: "200" })],
      rejects: [{ reason: "PUPR is not a number", id: "4000003" }],
    };
    const custom = {
      async *listChanged() {
        yield page;
      },
    };
    const r = await runPoll({ ...deps, sourceFactory: () => custom }, { schedule: poSchedule() });
    expect(r.status === "done" && r.counts).toMatchObject({ new: 1, quarantined: 2 });
    expect(sink.quarantines[0]?.items.map((i) => i.reason)).toEqual([
      "PUPR is not a number",
      "tenant/company ACME_TST/200 read by the ACME_TST/100 poller",
    ]);
  });
});

describe("metrics", () => {
  it("feeds the ops counters (prom-client) with polls and records by outcome", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const counters: SyncMetrics = metrics;
    source.put("1", po("4000001", "2026-11-30"));
    await runPoll({ ...deps, metrics: counters }, { schedule: poSchedule() });
    source.put("2", po("4000002", "2026-12-01", { total: "bad" }));
    source.put("3", po("4000003", "2026-12-01"));
    await runPoll({ ...deps, metrics: counters }, { schedule: poSchedule() });
    const text = await metrics.registry.metrics();
    expect(text).toContain('cloudsuite_polls_total{entity="purchase_order",outcome="ok"} 2');
    expect(text).toMatch(/cloudsuite_records_total\{entity="purchase_order",outcome="new"\} 2/);
    expect(text).toMatch(/records_total\{entity="purchase_order",outcome="quarantined"\} 1/);
  });
});
