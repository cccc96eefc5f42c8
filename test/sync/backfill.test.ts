import { describe, expect, it } from "vitest";
import { backfill } from "../../src/sync/backfill.ts";
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

const { redis, prefix } = fileRedis("backfill");

describe("backfill", () => {
  it("imports history through the poll path once, and never moves the watermark back", async () => {
    const source = new FakeSource();
    const sink = new RecordingSink();
    const clock = manualClock("2026-12-01T08:00:00Z");
    const deps = { redis, prefix, sourceFactory: () => source, sink, clock: clock.now };
    const key = {
      tenant: scope.tenant,
      company: scope.company,
      division: scope.division,
      entity: "purchase_order" as const,
    };
    source.put("1", po("4000001", "2026-10-15"));
    source.put("2", po("4000002", "2026-11-20"));
    source.put("3", po("4000003", "2026-11-30"));
    const schedules = [poSchedule(), { ...poSchedule({ entity: "payment" }) }];
    await runPoll(deps, { schedule: schedules[0] ?? poSchedule() });
    expect(sink.events()).toHaveLength(0);

    const results = await backfill(deps, {
      schedules,
      entity: "purchase_order",
      since: "2026-11-01",
    });
    expect(results).toHaveLength(1);
    expect(sink.batches.map((b) => b.mode)).toEqual(["backfill"]);
    // 4000003 was primed at install: only the older one in range is new to the channels.
    expect(sink.events().map((e) => (e.record as { number: string }).number)).toEqual(["4000002"]);
    expect(await redis.get(syncKeys(prefix).watermark(key))).toBe("2026-12-01");

    await backfill(deps, { schedules, entity: "purchase_order", since: "2026-11-01" });
    expect(sink.events()).toHaveLength(1);

    await expect(
      backfill(deps, { schedules, entity: "gl_voucher", since: "2026-11-01" }),
    ).rejects.toMatchObject({ code: "sync_bad_config" });
    await expect(
      backfill(deps, { schedules, entity: "purchase_order", since: "1 Nov" }),
    ).rejects.toMatchObject({ code: "sync_bad_config" });

    await redis.set(syncKeys(prefix).lock(key), "a running poll");
    await expect(
      backfill(deps, { schedules, entity: "purchase_order", since: "2026-11-01" }),
    ).rejects.toMatchObject({ code: "sync_busy" });
  });
});
