import { describe, expect, it } from "vitest";
import { type Alert, createAlert } from "../../src/alerts/alert.ts";
import { AuditLog } from "../../src/audit/log.ts";
import { createAlertSink } from "../../src/sync/alert-sink.ts";
import type { SyncDeps } from "../../src/sync/deps.ts";
import { runPoll } from "../../src/sync/poll.ts";
import { FakeSource, fileRedis, manualClock, po, poSchedule } from "./helpers.ts";

const { redis, prefix } = fileRedis("alertsink");

describe("alert sink on delivery and audit", () => {
  it("queues a record's own alert while the rules look at it, the rules' alerts after it", async () => {
    const audit = new AuditLog({ redis, prefix: `${prefix}overlap:` });
    const queued: Alert[] = [];
    let queuedDuringRules = false;
    const sink = createAlertSink({
      enqueue: async (a) => {
        queued.push(a);
      },
      audit,
      opsChannel: "C0OPS0001",
      defaultChannel: "C0DEF0001",
      extraAlerts: async (event) => {
        // The rules' Redis work takes a while: the record's alert is queued meanwhile.
        for (let i = 0; i < 50 && queued.length === 0; i++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        queuedDuringRules = queued.some((a) => a.recordKey === event.recordKey);
        return [
          createAlert({
            kind: "ops",
            tenant: "T",
            entity: "purchase_order",
            recordKey: `rule:${event.recordKey}`,
            contentVersion: event.contentVersion,
            channel: "C0OPS0001",
            ops: { code: "rule", message: "a rule's alert" },
          }),
        ];
      },
    });
    const source = new FakeSource();
    const deps: SyncDeps = {
      redis,
      prefix: `${prefix}overlap:`,
      sourceFactory: () => source,
      sink,
      clock: manualClock("2026-12-01T08:00:00Z").now,
    };
    await runPoll(deps, { schedule: poSchedule({ prime: false }) });
    source.put("1", po("4000001", "2026-12-01"));
    await runPoll(deps, { schedule: poSchedule() });
    expect(queuedDuringRules).toBe(true);
    expect(queued.map((a) => a.kind)).toEqual(["record.new", "ops"]);
  });

  it("with enqueueMany, queues a page's alerts in groups, in order, before the page is done", async () => {
    const p = `${prefix}grouped:`;
    const audit = new AuditLog({ redis, prefix: p });
    const groups: Alert[][] = [];
    let fail = true;
    const one: Alert[] = [];
    const sink = createAlertSink({
      enqueue: async (a) => {
        one.push(a);
      },
      enqueueMany: async (alerts) => {
        await new Promise((r) => setTimeout(r, 5));
        if (fail) throw new Error("redis down");
        groups.push([...alerts]);
      },
      enqueueGroup: 3,
      audit,
      opsChannel: "C0OPS0001",
      defaultChannel: "C0DEF0001",
      extraAlerts: async (event) => [
        createAlert({
          kind: "ops",
          tenant: "T",
          entity: "purchase_order",
          recordKey: `rule:${event.recordKey}`,
          contentVersion: event.contentVersion,
          channel: "C0OPS0001",
          ops: { code: "rule", message: "a rule's alert" },
        }),
      ],
      // Two partitions side by side, as the pipeline wires it.
      partitionOf: (e) => String(Number(e.recordKey.slice(-1)) % 2),
      concurrency: 2,
    });
    const source = new FakeSource();
    const deps: SyncDeps = {
      redis,
      prefix: p,
      sourceFactory: () => source,
      sink,
      clock: manualClock("2026-12-01T08:00:00Z").now,
    };
    await runPoll(deps, { schedule: poSchedule({ prime: false }) });
    for (let i = 1; i <= 5; i++) source.put(String(i), po(`400000${i}`, "2026-12-01"));
    // A group that cannot be queued fails the page: its versions are not saved, so the next poll
    // hands the same records over again.
    await expect(runPoll(deps, { schedule: poSchedule() })).rejects.toThrow(/storing the batch/);
    expect(groups).toEqual([]);
    fail = false;
    await runPoll(deps, { schedule: poSchedule() });
    expect(one).toEqual([]);
    expect(groups.every((g) => g.length <= 3)).toBe(true);
    const all = groups.flat();
    expect(all).toHaveLength(10);
    // Each record's own alert before its rules' alert.
    for (let i = 1; i <= 5; i++) {
      const own = all.findIndex(
        (a) => a.kind === "record.new" && a.recordKey.endsWith(`400000${i}`),
      );
      const rule = all.findIndex((a) => a.recordKey === `rule:${all[own]?.recordKey}`);
      expect(own).toBeGreaterThanOrEqual(0);
      expect(rule).toBeGreaterThan(own);
    }
  });

  it("turns polls into record alerts, shadow audits, quarantine and ops reports", async () => {
    const audit = new AuditLog({ redis, prefix });
    const queued: Alert[] = [];
    const clock = manualClock("2026-12-01T08:00:00Z");
    const sink = createAlertSink({
      enqueue: async (a) => {
        queued.push(a);
      },
      audit,
      opsChannel: "C0OPS0001",
      defaultChannel: "C0DEF0001",
      clock: clock.now,
      render: (a) => ({ text: `rendered ${a.recordKey}` }),
    });
    const source = new FakeSource();
    const deps: SyncDeps = {
      redis,
      prefix,
      sourceFactory: () => source,
      sink,
      clock: clock.now,
      route: () => ({ channel: "C0CC10001", fallback: false, costCenter: "CC10" }),
    };
    await runPoll(deps, { schedule: poSchedule({ prime: false }) });

    source.put("1", po("4000001", "2026-12-01"));
    source.put("2", po("4000002", "2026-12-01", { currency: "", total: "bad" }));
    await runPoll(deps, { schedule: poSchedule() });
    source.put("1", po("4000001", "2026-12-01", { total: { amount: "150.00", currency: "EUR" } }));
    await runPoll(deps, { schedule: poSchedule() });

    const records = queued.filter((a) => a.kind.startsWith("record."));
    expect(records.map((a) => [a.kind, a.channel, a.costCenter])).toEqual([
      ["record.new", "C0CC10001", "CC10"],
      ["record.updated", "C0CC10001", "CC10"],
    ]);
    // One message per record: the update edits the first post (same subject), new id.
    expect(records[0]?.subject).toBe(records[1]?.subject);
    expect(records[0]?.id).not.toBe(records[1]?.id);
    expect(records[1]?.changes).toEqual([
      { field: "total.amount", from: "100 EUR", to: "150 EUR" },
    ]);

    const ops = queued.filter((a) => a.kind === "ops");
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({
      channel: "C0OPS0001",
      ops: { code: "records_quarantined", count: 1 },
    });
    expect(ops[0]?.ops?.examples[0]).toMatch(/^purchase_order 4000002: /);
    const quarantined = await audit.query({ types: ["ops"] });
    expect(quarantined.map((e) => e.data?.code)).toEqual(["record_quarantined"]);

    // Shadow: audited as skipped, nothing queued.
    source.put("3", po("4000003", "2026-12-01"));
    await runPoll({ ...deps, shadow: true }, { schedule: poSchedule() });
    expect(queued.filter((a) => a.kind.startsWith("record."))).toHaveLength(2);
    const skipped = await audit.query({ types: ["skipped"] });
    expect(skipped.map((e) => [e.recordKey, e.data?.reason, e.data?.rendered])).toEqual([
      [
        "purchase_order:ACME_TST:100:AAA:4000003",
        "shadow",
        { text: "rendered purchase_order:ACME_TST:100:AAA:4000003" },
      ],
    ]);

    // Poll health: the same notice twice is the same alert (delivery posts it once).
    const key = { tenant: "ACME_TST", company: "100", division: "AAA", entity: "payment" as const };
    const failing = {
      kind: "poll_failing" as const,
      key,
      consecutiveFailures: 3,
      errorCode: "mi_business",
      errorMessage: "EXPORTMI/Select: Field IDCHID does not exist in CIDMAS (field QERY)",
      failingSince: "2026-12-01T07:00:00.000Z",
    };
    await sink.ops(failing);
    await sink.ops(failing);
    await sink.ops({
      kind: "poll_recovered",
      key,
      failures: 4,
      failingSince: failing.failingSince,
      recoveredAt: "2026-12-01T08:00:00.000Z",
    });
    const health = queued.filter((a) => a.ops?.code.startsWith("poll_"));
    expect(new Set(health.map((a) => a.id)).size).toBe(2);
    expect(health[0]?.ops?.message).toContain("payments of ACME_TST company 100 division AAA");
    expect(health[0]?.ops?.message).toContain(
      "(mi_business: EXPORTMI/Select: Field IDCHID does not exist in CIDMAS (field QERY))",
    );
  });
});
