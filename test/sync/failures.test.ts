import { describe, expect, it } from "vitest";
import type { SyncDeps } from "../../src/sync/deps.ts";
import { syncKeys } from "../../src/sync/keys.ts";
import { runPoll } from "../../src/sync/poll.ts";
import { getSyncStatus } from "../../src/sync/sync-status.ts";
import {
  FakeSource,
  fileRedis,
  manualClock,
  po,
  poSchedule,
  RecordingSink,
  scope,
} from "./helpers.ts";

const { redis, prefix } = fileRedis("failures");

class Throttled extends Error {
  readonly code = "ION_THROTTLED";
}

describe("ION down or throttled", () => {
  it("keeps the watermark, alerts ops once after N failures, and once on recovery", async () => {
    const source = new FakeSource();
    const sink = new RecordingSink();
    const clock = manualClock("2026-12-01T08:00:00Z");
    const deps: SyncDeps = {
      redis,
      prefix,
      sourceFactory: () => source,
      sink,
      clock: clock.now,
      failureThreshold: 3,
    };
    const key = {
      tenant: scope.tenant,
      company: scope.company,
      division: scope.division,
      entity: "purchase_order" as const,
    };
    await runPoll(deps, { schedule: poSchedule({ prime: false }) });
    source.put("1", po("4000001", "2026-12-02"));
    clock.set("2026-12-02T08:00:00Z");

    for (let i = 0; i < 5; i++) {
      source.failures.push(new Throttled("429 from the gateway"));
      await expect(runPoll(deps, { schedule: poSchedule() })).rejects.toMatchObject({
        code: "sync_source_failed",
      });
    }
    expect(await redis.get(syncKeys(prefix).watermark(key))).toBe("2026-12-01");
    expect(sink.notices).toEqual([
      {
        kind: "poll_failing",
        key,
        consecutiveFailures: 3,
        errorCode: "ION_THROTTLED",
        errorMessage: "429 from the gateway",
        failingSince: "2026-12-02T08:00:00.000Z",
      },
    ]);
    const [failing] = await getSyncStatus({ redis, prefix, clock: clock.now });
    expect(failing).toMatchObject({ consecutiveFailures: 5, lastError: "ION_THROTTLED" });

    clock.set("2026-12-02T08:30:00Z");
    await runPoll(deps, { schedule: poSchedule() });
    await runPoll(deps, { schedule: poSchedule() });
    expect(sink.notices.map((n) => n.kind)).toEqual(["poll_failing", "poll_recovered"]);
    expect(sink.notices[1]).toMatchObject({ failures: 5, recoveredAt: "2026-12-02T08:30:00.000Z" });
    expect(sink.events().map((e) => e.kind)).toEqual(["new"]);

    const [ok] = await getSyncStatus({ redis, prefix, clock: clock.now });
    expect(ok).toMatchObject({
      watermark: "2026-12-02",
      consecutiveFailures: 0,
      lagMs: 0,
      totals: { polls: 3, failedPolls: 5, new: 1 },
    });

    // Fewer failures than the threshold: no alert, so no recovery message either.
    source.failures.push(new Throttled("429"));
    await expect(runPoll(deps, { schedule: poSchedule() })).rejects.toThrow();
    await runPoll(deps, { schedule: poSchedule() });
    expect(sink.notices).toHaveLength(2);
  });
});
