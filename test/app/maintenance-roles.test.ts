import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_TRIM_JOB, MAINTENANCE_QUEUE, RECHECK_OPEN_JOB } from "../../src/app/maintenance.ts";
import { eventually, REDIS_URL, type Stack, startStack } from "../e2e/helpers.ts";

/**
 * The composed app, one worker and one scheduler instance: the scheduler creates the maintenance
 * job schedulers, only the worker runs them, and shutdown leaves no maintenance worker behind.
 */
let stack: Stack;
let redis: Redis;
let queue: Queue;

beforeAll(async () => {
  stack = await startStack("app-maintenance", () => {}, [["worker"], ["scheduler"]]);
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix: `${stack.prefix}bull` });
}, 60_000);

afterAll(async () => {
  await queue?.close();
  await redis?.quit();
  await stack?.close();
}, 30_000);

describe("maintenance in the composed app", () => {
  it("the scheduler schedules audit retention and the recheck; the worker runs both", async () => {
    const schedulers = await queue.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => s.key).sort()).toEqual([AUDIT_TRIM_JOB, RECHECK_OPEN_JOB]);
    // An `every` scheduler's first run is due at once: the worker instance takes it.
    const done = await eventually(
      async () => {
        const jobs = await queue.getCompleted();
        const names = new Set(jobs.map((j) => j.name));
        return names.has(AUDIT_TRIM_JOB) && names.has(RECHECK_OPEN_JOB) ? jobs : undefined;
      },
      30_000,
      "both maintenance jobs completed",
    );
    const recheck = done.find((j) => j.name === RECHECK_OPEN_JOB);
    expect(recheck?.returnvalue).toMatchObject({ checked: expect.any(Number) });
    expect(await queue.getFailedCount()).toBe(0);
    // One maintenance worker: the worker instance's (the scheduler runs none).
    expect((await queue.getWorkers()).length).toBe(1);
  }, 45_000);

  it("shutdown closes the maintenance worker", async () => {
    for (const app of stack.apps) await app.close();
    expect(await queue.getWorkers()).toEqual([]);
  }, 30_000);
});
