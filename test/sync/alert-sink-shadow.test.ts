import { afterAll, describe, expect, it } from "vitest";
import type { Alert } from "../../src/alerts/alert.ts";
import { AuditLog } from "../../src/audit/log.ts";
import { createAlertSink } from "../../src/sync/alert-sink.ts";
import { runPoll } from "../../src/sync/poll.ts";
import { FakeSource, fileRedis, manualClock, po, poSchedule } from "./helpers.ts";

const { redis, prefix } = fileRedis("alertsink-shadow");
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

describe("alert sink: extra alerts learn whether the batch is shadow", () => {
  it.each([true, false])("shadow = %s is passed to the extraAlerts hook", async (shadow) => {
    const seen: boolean[] = [];
    const queued: Alert[] = [];
    const clock = manualClock("2026-12-01T08:00:00Z");
    const sink = createAlertSink({
      enqueue: async (a) => {
        queued.push(a);
      },
      audit: new AuditLog({ redis, prefix: `${prefix}${shadow}:` }),
      opsChannel: "C0OPS0001",
      defaultChannel: "C0DEF0001",
      clock: clock.now,
      // An exception tracker must not store state or create approvals for shadow batches.
      extraAlerts: (_event, context) => {
        seen.push(context.shadow);
        return [];
      },
    });
    const source = new FakeSource();
    const deps = {
      redis,
      prefix: `${prefix}${shadow}:`,
      sourceFactory: () => source,
      sink,
      clock: clock.now,
      shadow,
    };
    await runPoll(deps, { schedule: poSchedule({ prime: false }) });
    source.put("1", po("4000001", "2026-12-01"));
    await runPoll(deps, { schedule: poSchedule() });
    expect(seen).toEqual([shadow]);
    expect(queued.filter((a) => a.kind.startsWith("record.")).length).toBe(shadow ? 0 : 1);
  });
});
