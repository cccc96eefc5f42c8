import type { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import { codeOf } from "../../src/shared/error-code.ts";
import type { PollResult } from "../../src/sync/poll.ts";
import { applySchedules, type PollJobData } from "../../src/sync/schedules.ts";
import { getSyncStatus } from "../../src/sync/sync-status.ts";
import { createSyncQueue, createSyncWorker, type SyncWorker } from "../../src/sync/worker.ts";
import { FakeSource, fileRedis, po, poSchedule, RecordingSink } from "./helpers.ts";

const { connection: conn, newPrefix } = fileRedis("scheduler");

/** One "process": its own connections, queue and worker, sharing only Redis with the others. */
function startProcess(prefix: string, source: FakeSource, sink: RecordingSink) {
  const queue = createSyncQueue(conn(), { bullPrefix: `${prefix}bull` });
  const completed: { id: string; result: PollResult }[] = [];
  const worker = createSyncWorker({
    connection: conn(),
    redis: conn(),
    prefix,
    bullPrefix: `${prefix}bull`,
    sourceFactory: () => source,
    sink,
    lockTtlMs: 5_000,
  });
  worker.worker.on("completed", (job, result) => {
    completed.push({ id: String(job.id), result });
  });
  const failedCodes: string[] = [];
  worker.worker.on("failed", (_job, err) => {
    failedCodes.push(String(codeOf(err)));
  });
  return { queue, worker, completed, failedCodes };
}

async function stop(procs: { queue: Queue<PollJobData, PollResult>; worker: SyncWorker }[]) {
  for (const p of procs) await p.worker.close();
  for (const p of procs) await p.queue.close();
}

const until = async (cond: () => boolean | Promise<boolean>, timeoutMs: number) => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("condition not met in time");
};

describe("job schedulers across processes", () => {
  it("two scheduler processes keep one scheduler per key and remove stale ones", async () => {
    const prefix = newPrefix("sched");
    const a = createSyncQueue(conn(), { bullPrefix: `${prefix}bull` });
    const b = createSyncQueue(conn(), { bullPrefix: `${prefix}bull` });
    const pos = poSchedule({ cron: "*/5 * * * *", tz: "Europe/Stockholm", everyMs: undefined });
    const sup = { ...poSchedule({ entity: "supplier" }), division: "" };
    await Promise.all([applySchedules(a, [pos, sup]), applySchedules(b, [pos, sup])]);
    expect(await a.getJobSchedulersCount()).toBe(2);
    const [status] = await getSyncStatus({
      redis: conn(),
      prefix,
      queue: a,
      only: [{ tenant: "ACME_TST", company: "100", division: "AAA", entity: "purchase_order" }],
    });
    expect(Date.parse(status?.nextPollAt ?? "")).toBeGreaterThan(Date.now());
    const cron = await a.getJobScheduler("poll/ACME_TST/100/AAA/purchase_order");
    expect(cron).toMatchObject({ pattern: "*/5 * * * *", tz: "Europe/Stockholm" });
    // Only one next job per scheduler, whoever upserted it.
    expect(await a.count()).toBe(2);

    const r = await applySchedules(b, [pos]);
    expect(r.removed).toEqual(["poll/ACME_TST/100//supplier"]);
    expect((await a.getJobSchedulers()).map((s) => s.key)).toEqual([
      "poll/ACME_TST/100/AAA/purchase_order",
    ]);

    await expect(applySchedules(a, [pos, pos])).rejects.toMatchObject({
      code: "sync_bad_config",
    });
    await expect(applySchedules(a, [{ ...pos, everyMs: 5000 }])).rejects.toMatchObject({
      code: "sync_bad_config",
    });
    await a.close();
    await b.close();
  });

  it("two processes fire one poll per iteration, and a slow poll never overlaps itself", async () => {
    const prefix = newPrefix("fire");
    const source = new FakeSource();
    source.put("1", po("4000001", "2026-12-01"));
    let inFlight = 0;
    let maxInFlight = 0;
    const reads: number[] = [];
    const inner = source.listChanged.bind(source);
    source.listChanged = async function* (entity, since, options) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      reads.push(Date.now());
      try {
        // Slower than the 1 s interval: the next iteration starts while this one runs.
        await new Promise((r) => setTimeout(r, 1_800));
        yield* inner(entity, since, options);
      } finally {
        inFlight--;
      }
    };
    const sink = new RecordingSink();
    const p1 = startProcess(prefix, source, sink);
    const p2 = startProcess(prefix, source, sink);
    const started = Date.now();
    await Promise.all([
      applySchedules(p1.queue, [poSchedule({ everyMs: 1_000 })]),
      applySchedules(p2.queue, [poSchedule({ everyMs: 1_000 })]),
    ]);
    const all = () => [...p1.completed, ...p2.completed];
    await until(() => all().length >= 4, 15_000);
    await stop([p1, p2]);
    const elapsed = Date.now() - started;

    const ids = all().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    // At most one job per 1 s iteration across both processes (two schedulers would double it).
    expect(ids.length).toBeLessThanOrEqual(Math.floor(elapsed / 1_000) + 2);
    const skipped = all().filter((c) => c.result.status === "skipped_busy").length;
    expect(maxInFlight).toBe(1);
    // The lock, not luck: at least one iteration found the previous poll still running.
    expect(skipped).toBeGreaterThanOrEqual(1);
    // A poll in flight when stop() runs is stopped between pages (sync_aborted): it read but did
    // not complete. Every read belongs to exactly one poll outcome, and nothing else failed.
    const failed = [...p1.failedCodes, ...p2.failedCodes];
    expect(failed.filter((code) => code !== "sync_aborted")).toEqual([]);
    expect(reads.length).toBe(all().length - skipped + failed.length);
    const [status] = await getSyncStatus({ redis: conn(), prefix, queue: p1.queue });
    expect(status?.totals.skippedBusy).toBe(skipped);
    expect(status?.lastSuccessAt).toBeDefined();
  });

  it("retries a failed poll with backoff and completes once the source is back", async () => {
    const prefix = newPrefix("retry");
    const source = new FakeSource();
    source.failures.push(new Error("503"), new Error("503"));
    const sink = new RecordingSink();
    const p = startProcess(prefix, source, sink);
    const failedAttempts: number[] = [];
    p.worker.worker.on("failed", (job) => failedAttempts.push(job?.attemptsMade ?? -1));
    await applySchedules(p.queue, [poSchedule({ everyMs: 60_000 })], {
      attempts: 3,
      backoffMs: 100,
    });
    await until(() => p.completed.length >= 1, 15_000);
    await stop([p]);
    expect(failedAttempts).toEqual([1, 2]);
    expect(p.completed[0]?.result.status).toBe("primed");
    expect(source.reads).toHaveLength(3);
  });
});
