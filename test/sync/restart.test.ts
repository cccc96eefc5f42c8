import { beforeEach, describe, expect, it } from "vitest";
import type { SyncDeps } from "../../src/sync/deps.ts";
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

const { redis, newPrefix } = fileRedis("restart");

class Crash extends Error {
  readonly code = "TEST_CRASH";
}

let source: FakeSource;
let sink: RecordingSink;
let deps: SyncDeps;
let prefix: string;
const wm = () =>
  redis.get(
    syncKeys(prefix).watermark({
      tenant: scope.tenant,
      company: scope.company,
      division: scope.division,
      entity: "purchase_order",
    }),
  );

beforeEach(async () => {
  prefix = newPrefix();
  source = new FakeSource();
  sink = new RecordingSink();
  const clock = manualClock("2026-12-01T08:00:00Z");
  deps = { redis, prefix, sourceFactory: () => source, sink, clock: clock.now };
  await runPoll(deps, { schedule: poSchedule({ prime: false }) });
});

const numbers = (s: RecordingSink) =>
  [...s.delivered.values()].map((e) => (e.record as { number: string }).number).sort();

describe("restart between records read and watermark saved", () => {
  for (const at of ["afterDeliver", "beforeWatermark"] as const) {
    it(`crash at ${at}: the re-run delivers no duplicate and leaves no gap`, async () => {
      for (let i = 1; i <= 5; i++) source.put(`${i}`, po(`400000${i}`, "2026-12-01"));
      let armed = true;
      const crashing: SyncDeps = {
        ...deps,
        hooks: {
          [at]: () => {
            if (armed) {
              armed = false;
              throw new Crash("process died");
            }
          },
        },
      };
      await expect(runPoll(crashing, { schedule: poSchedule({ pageSize: 2 }) })).rejects.toThrow(
        "process died",
      );
      expect(await wm()).toBe("2026-12-01");
      const before = sink.events().length;

      // Between the crash and the restart, one more record changes in the ERP.
      source.put("6", po("4000006", "2026-12-01"));
      const r = await runPoll(crashing, { schedule: poSchedule({ pageSize: 2 }) });
      expect(r.status).toBe("done");

      expect(numbers(sink)).toEqual([
        "4000001",
        "4000002",
        "4000003",
        "4000004",
        "4000005",
        "4000006",
      ]);
      // Whatever the sink saw twice carried the same alert id, so delivery posts it once.
      expect(sink.events().length - before).toBeLessThanOrEqual(6);
      expect(sink.delivered.size).toBe(6);

      await runPoll(crashing, { schedule: poSchedule() });
      expect(sink.delivered.size).toBe(6);
      expect(sink.duplicates).toBe(at === "afterDeliver" ? 2 : 0);
    });
  }

  it("a record changed between a crash after its alert was stored and the re-read alerts as updated", async () => {
    // The crash leaves the alert stored but its version unsaved, and the killed worker's lock
    // holds the key for its TTL: the ERP changes the record before the re-read. Reading that
    // change as "new" (revision 1 again, another alert id) would give the one message a second
    // first version; it is revision 2 of what the channel already shows.
    source.put("1", po("4000001", "2026-12-01"));
    let armed = true;
    const crashing: SyncDeps = {
      ...deps,
      hooks: {
        afterDeliver: () => {
          if (armed) {
            armed = false;
            throw new Crash("process died");
          }
        },
      },
    };
    await expect(runPoll(crashing, { schedule: poSchedule() })).rejects.toThrow("process died");
    const [first] = sink.events();
    expect(first).toMatchObject({ kind: "new", rev: 1 });

    source.put("1", po("4000001", "2026-12-01", { total: { amount: "250.00", currency: "EUR" } }));
    await runPoll(crashing, { schedule: poSchedule() });
    const later = sink.events().slice(1);
    expect(later.map((e) => [e.kind, e.rev])).toEqual([["updated", 2]]);
    expect(later[0]?.alertId).not.toBe(first?.alertId);
    expect(later[0]?.changes.map((c) => c.path)).toContain("total.amount");

    // Once saved, a quiet re-read stays quiet.
    await runPoll(deps, { schedule: poSchedule() });
    expect(sink.events().length).toBe(2);
  });

  it("a sink that fails stores nothing: the watermark and hashes stay, the retry delivers", async () => {
    source.put("1", po("4000001", "2026-12-01"));
    const failing: SyncDeps = {
      ...deps,
      sink: {
        deliver: () => Promise.reject(new Error("audit down")),
        quarantine: (b) => sink.quarantine(b),
        ops: (n) => sink.ops(n),
      },
    };
    await expect(runPoll(failing, { schedule: poSchedule() })).rejects.toMatchObject({
      code: "sync_sink_failed",
    });
    await runPoll(deps, { schedule: poSchedule() });
    expect(numbers(sink)).toEqual(["4000001"]);
  });

  it("a shutdown between pages stops the poll without moving the watermark or counting a failure", async () => {
    for (let i = 1; i <= 4; i++) source.put(`${i}`, po(`400000${i}`, "2026-12-02"));
    const stop = new AbortController();
    const stopping: SyncDeps = { ...deps, hooks: { afterDeliver: () => stop.abort() } };
    await expect(
      runPoll(stopping, { schedule: poSchedule({ pageSize: 2 }), signal: stop.signal }),
    ).rejects.toMatchObject({ code: "sync_aborted" });
    expect(await wm()).toBe("2026-12-01");
    expect(sink.delivered.size).toBe(2);
    const status = await redis.hgetall(
      syncKeys(prefix).failures({
        tenant: scope.tenant,
        company: scope.company,
        division: scope.division,
        entity: "purchase_order",
      }),
    );
    expect(status).toEqual({});
    await runPoll(deps, { schedule: poSchedule({ pageSize: 2 }) });
    expect(sink.delivered.size).toBe(4);
    expect(await wm()).toBe("2026-12-02");
  });
});
