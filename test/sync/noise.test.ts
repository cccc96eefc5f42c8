import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import { type Alert, createAlert } from "../../src/alerts/alert.ts";
import { toNoisePolicy } from "../../src/config/noise-policy.ts";
import { parseRouting } from "../../src/config/routing-load.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { recordMessage } from "../../src/slack/blocks/records.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { createAlertSink } from "../../src/sync/alert-sink.ts";
import { createNoiseGate, periodOf } from "../../src/sync/noise-gate.ts";
import type { ChangeEvent } from "../../src/sync/sink.ts";
import { payment, startEmu, waitFor } from "../delivery/emu.ts";
import { cleanup, connect, uniquePrefix } from "../delivery/helpers.ts";

// routing.yml noise through the real sink, delivery and the Slack emulator: an exceptions-only
// channel hears no record alerts, a digest channel one summary per period edited in place.
const QUIET = "C0CC200001";
const DIGEST = "C0CC100001";
const LOUD = "C0AP000001";
const ROUTING = `
version: 1
channels: { ap: ${LOUD}, cc100: ${DIGEST}, cc200: ${QUIET}, ops: C0OPS00001 }
defaultChannel: ap
opsChannel: ops
tenants: [{ id: T1, companies: [{ company: 100 }] }]
noise:
  default: all
  digestEvery: 1m
  channels:
    cc200: exceptions-only
    cc100: { payment: digest }
`;

const prefix = uniquePrefix("noise");
let redis: RedisClient;
let emu: SlackEmu;
beforeAll(async () => {
  redis = connect();
  emu = await startEmu(20);
});
afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
  await emu.close();
});

function event(n: number, channel: string): ChangeEvent {
  const record = payment(n, `${n}.00`);
  return {
    alertId: `a${n}`,
    kind: "new",
    recordKey: `payment:T1:${n}`,
    rev: 1,
    contentVersion: `1:${n}`,
    record,
    changes: [],
    route: { channel, fallback: false },
  } as ChangeEvent;
}

describe("noise control per channel and entity", () => {
  it("exceptions-only posts no record alert; digest posts one summary and edits it; all posts each", async () => {
    const parsed = parseRouting(ROUTING);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    // A clock in the middle of a minute: the test's records all fall in one period.
    const base = Math.floor(Date.now() / 60_000) * 60_000 + 60_000 + 5_000;
    let now = base;
    const clock = () => new Date(now);
    const d = createSlackDelivery({
      connection: redis,
      prefix,
      clock: () => now,
      slack: { token: emu.botToken, slackApiUrl: emu.url },
      config: { timeScale: 20, digests: { enabled: false } },
    });
    const audited: { type: string; data?: Record<string, unknown> }[] = [];
    const sink = createAlertSink({
      enqueue: (a) => d.enqueue(a),
      audit: {
        append: async (e) => {
          audited.push(e as never);
          return "1-0";
        },
      },
      opsChannel: "C0OPS00001",
      defaultChannel: LOUD,
      clock,
      // An exception on the quiet channel's record still goes out.
      extraAlerts: (e) =>
        e.route?.channel === QUIET
          ? [
              createAlert({
                kind: "exception.opened",
                channel: QUIET,
                record: e.record,
                recordKey: `${e.recordKey}#x`,
                contentVersion: "x1",
                exception: { type: "price_variance", summary: "Line 1: price above PO" },
              }),
            ]
          : [],
      noise: createNoiseGate({
        redis,
        prefix,
        policy: toNoisePolicy(parsed.config),
        clock,
        title: (a) =>
          a.record ? recordMessage(a.record, { at: clock(), prefix: "New" }).text : "",
      }),
    });
    const key = { tenant: "T1", company: "100", division: "", entity: "payment" as const };
    const deliver = (events: ChangeEvent[]) =>
      sink.deliver({ key, events, shadow: false, mode: "poll" });
    try {
      d.startWorker({ concurrency: 4 });
      await deliver([event(1, QUIET), event(2, DIGEST), event(3, LOUD), event(4, LOUD)]);
      await deliver([event(5, DIGEST)]);
      // The same record read again (poll overlap) changes nothing.
      await deliver([event(5, DIGEST)]);
      await deliver([event(6, DIGEST)]);
      await waitFor("settled", async () => (await d.stats()).oldestAgeMs === 0, 15_000);
      await waitFor(
        "the summary's last version",
        () => (emu.inspect.messages(DIGEST)[0]?.text ?? "").startsWith("3 new or changed"),
        15_000,
      );

      // exceptions-only: the exception, no record alert.
      const quiet = emu.inspect.messages(QUIET);
      expect(quiet).toHaveLength(1);
      expect(quiet[0]?.text).toContain("Price variance");
      expect(audited.filter((e) => e.data?.reason === "noise:exceptions-only")).toHaveLength(1);

      // digest: one message, edited for each new line, no thread replies.
      const digest = emu.inspect.messages(DIGEST);
      expect(digest).toHaveLength(1);
      expect(digest[0]?.edits.length).toBe(2);
      expect(digest[0]?.replies ?? []).toHaveLength(0);
      const body = JSON.stringify(digest[0]?.blocks);
      for (const n of ["2.00", "5.00", "6.00"]) expect(body).toContain(`${n} EUR`);
      expect(digest[0]?.text).toContain("total 13.00 EUR");

      // all: each record its own message.
      expect(emu.inspect.messages(LOUD)).toHaveLength(2);

      // The next period starts a new summary message; a record already summarized (read again
      // by the next poll) is not added to it a second time.
      now = base + 60_000;
      await deliver([event(6, DIGEST), event(7, DIGEST)]);
      await waitFor("second summary", () => emu.inspect.messages(DIGEST).length === 2, 15_000);
      await waitFor("settled again", async () => (await d.stats()).oldestAgeMs === 0, 15_000);
      expect(emu.inspect.messages(DIGEST)).toHaveLength(2);
      expect(emu.inspect.messages(DIGEST)[1]?.text).toMatch(/^1 new or changed records/);
      expect(JSON.stringify(emu.inspect.messages(DIGEST)[1]?.blocks)).not.toContain("6.00 EUR");
    } finally {
      await d.close();
    }
  }, 60_000);

  it("lets exceptions, decisions and ops notices through in every mode", async () => {
    const parsed = parseRouting(ROUTING.replace("default: all", "default: exceptions-only"));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const gate = createNoiseGate({
      redis,
      prefix: `${prefix}gate:`,
      policy: toNoisePolicy(parsed.config),
      title: (a) => a.recordKey,
    });
    const queued: Alert[] = [];
    const enqueue = async (a: Alert) => {
      queued.push(a);
    };
    const record = payment(9);
    const decision = createAlert({
      kind: "record.new",
      channel: QUIET,
      record,
      needsDecision: { approvalId: "apr-1" },
    });
    const ops = createAlert({
      kind: "ops",
      channel: QUIET,
      tenant: "T1",
      recordKey: "ops:x",
      contentVersion: "1",
      ops: { code: "poll_failing", message: "x" },
    });
    expect((await gate.pass(decision, enqueue)).action).toBe("post");
    expect((await gate.pass(ops, enqueue)).action).toBe("post");
    expect(
      (await gate.pass(createAlert({ kind: "record.new", channel: QUIET, record }), enqueue))
        .action,
    ).toBe("suppress");
    expect(queued).toEqual([]);
  });

  it("periods start on the period's boundary in UTC", () => {
    const p = periodOf(Date.parse("2026-12-01T09:41:07Z"), 3_600_000);
    expect(p.start.toISOString()).toBe("2026-12-01T09:00:00.000Z");
    expect(p.end.toISOString()).toBe("2026-12-01T10:00:00.000Z");
  });
});
