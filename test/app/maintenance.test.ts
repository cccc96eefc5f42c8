import { randomBytes } from "node:crypto";
import type { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import {
  AUDIT_TRIM_JOB,
  applyMaintenanceSchedules,
  createMaintenanceQueue,
  type MaintenanceJobData,
  maintenanceSettings,
  RECHECK_OPEN_JOB,
  startMaintenanceWorker,
} from "../../src/app/maintenance.ts";
import { AuditLog } from "../../src/audit/log.ts";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `test:maintenance:${randomBytes(4).toString("hex")}:`;
let redis: Redis;
const queues: Queue<MaintenanceJobData>[] = [];
const workers: Worker<MaintenanceJobData>[] = [];

beforeAll(() => {
  redis = new Redis(url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  for (const w of workers) await w.close();
  for (const q of queues) await q.close();
  await deleteByPrefix(redis, prefix);
  await redis.quit();
});

function queue(bullPrefix: string): Queue<MaintenanceJobData> {
  const q = createMaintenanceQueue(redis, { bullPrefix });
  queues.push(q);
  return q;
}

describe("maintenance settings", () => {
  it("defaults to hourly runs of 200 invoices and refuses nonsense", () => {
    expect(maintenanceSettings()).toEqual({
      auditTrimEveryMs: 3_600_000,
      recheckEveryMs: 3_600_000,
      recheckLimit: 200,
    });
    expect(maintenanceSettings({ recheckEveryMs: 0 }).recheckEveryMs).toBe(0);
    expect(() => maintenanceSettings({ recheckLimit: -1 })).toThrow(RangeError);
    expect(() => maintenanceSettings({ auditTrimEveryMs: 1.5 })).toThrow(RangeError);
  });
});

describe("maintenance job schedulers", () => {
  it("two scheduler replicas make one scheduler per job, one pending run each", async () => {
    const bullPrefix = `${prefix}a:bull`;
    const settings = maintenanceSettings({ recheckLimit: 25 });
    // Two replicas at start-up, each with its own Queue object on the same Redis.
    await applyMaintenanceSchedules(queue(bullPrefix), settings);
    await applyMaintenanceSchedules(queue(bullPrefix), settings);
    const q = queue(bullPrefix);
    const schedulers = await q.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => [s.key, Number(s.every)]).sort()).toEqual([
      [AUDIT_TRIM_JOB, 3_600_000],
      [RECHECK_OPEN_JOB, 3_600_000],
    ]);
    // Each scheduler holds exactly one next run, whatever the number of replicas (an `every`
    // scheduler's first run waits at once, later ones are delayed).
    const delayed = await q.getJobs(["waiting", "delayed", "prioritized"]);
    expect(delayed.map((j) => j.name).sort()).toEqual([AUDIT_TRIM_JOB, RECHECK_OPEN_JOB]);
    expect(delayed.find((j) => j.name === RECHECK_OPEN_JOB)?.data).toEqual({ limit: 25 });

    // Interval 0 switches the sweep off.
    const off = await applyMaintenanceSchedules(q, { ...settings, recheckEveryMs: 0 });
    expect(off).toEqual({ upserted: [AUDIT_TRIM_JOB], removed: [RECHECK_OPEN_JOB] });
    expect((await q.getJobSchedulers(0, -1)).map((s) => s.key)).toEqual([AUDIT_TRIM_JOB]);
  });

  it("the worker runs audit retention and the recheck with its limit", async () => {
    const bullPrefix = `${prefix}b:bull`;
    // Entry times are Redis's (stream ids); the clock places "now" a day after a point between
    // the two entries, so retention (one day) drops the first and keeps the second.
    let now = Date.now();
    const log = new AuditLog({
      redis,
      prefix: `${prefix}b:`,
      clock: () => now,
      retention: { maxAgeMs: 86_400_000 },
    });
    await log.append({ type: "ops", recordKey: "old", data: { n: 1 } });
    await new Promise((r) => setTimeout(r, 30));
    const between = Date.now();
    await new Promise((r) => setTimeout(r, 30));
    await log.append({ type: "ops", recordKey: "new", data: { n: 2 } });
    now = between + 86_400_000;

    const limits: number[] = [];
    const emitted: string[] = [];
    workers.push(
      startMaintenanceWorker({
        connection: redis,
        bullPrefix,
        tasks: {
          trimAudit: () => log.trim(),
          recheckOpen: async (limit) => {
            limits.push(limit);
            emitted.push("alert");
            return { checked: 1, alerts: 1 };
          },
        },
      }),
    );
    const q = queue(bullPrefix);
    await applyMaintenanceSchedules(
      q,
      maintenanceSettings({ auditTrimEveryMs: 200, recheckEveryMs: 200, recheckLimit: 7 }),
    );
    await vi.waitFor(
      async () => {
        expect(limits.length).toBeGreaterThan(0);
        expect(await log.query({ recordKey: "old" })).toEqual([]);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(limits[0]).toBe(7);
    expect((await log.query({ recordKey: "new" })).length).toBe(1);
    const done = await q.getCompleted();
    expect(new Set(done.map((j) => j.name))).toEqual(new Set([AUDIT_TRIM_JOB, RECHECK_OPEN_JOB]));
    await applyMaintenanceSchedules(
      q,
      maintenanceSettings({ auditTrimEveryMs: 0, recheckEveryMs: 0 }),
    );
  }, 20_000);
});
