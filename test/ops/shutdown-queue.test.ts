import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createShutdown, type SignalSource } from "../../src/ops/shutdown.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * SIGTERM during a busy queue loses and duplicates nothing: the first replica drains on the
 * signal (BullMQ's worker.close() lets active jobs finish and takes no new ones), a second replica
 * takes what is left, and every job ran exactly once.
 */
describe("SIGTERM during a busy queue", () => {
  const prefix = `test:ops-shutdown:${randomUUID()}`;
  const connection = () => new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const redis = connection();
  const runsKey = `${prefix}:runs`;

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("finishes in-flight jobs, leaves the rest queued, and runs each job once", async () => {
    const queueConn = connection();
    const queue = new Queue("busy", { connection: queueConn, prefix });
    const total = 24;
    await queue.addBulk(
      Array.from({ length: total }, (_, i) => ({
        name: "post",
        data: { i },
        opts: { jobId: `job-${i}` },
      })),
    );

    const processor = async (job: Job) => {
      await new Promise((r) => setTimeout(r, 40));
      await redis.hincrby(runsKey, String(job.id), 1);
    };
    const conn1 = connection();
    const worker1 = new Worker("busy", processor, { connection: conn1, prefix, concurrency: 3 });
    const emitter = new EventEmitter();
    const signals: SignalSource = {
      on: (e, l) => emitter.on(e, l),
      off: (e, l) => emitter.off(e, l),
    };
    let exitCode: number | undefined;
    const exited = new Promise<void>((resolve) => {
      const shutdown = createShutdown({
        signals,
        deadlineMs: 10_000,
        exit: (code) => {
          exitCode = code;
          resolve();
        },
        closers: [
          { name: "drain-jobs", close: () => worker1.close() },
          { name: "close-redis", close: async () => void (await conn1.quit()) },
        ],
      });
      shutdown.install();
    });

    // Signal once some jobs are done and others are in flight.
    await new Promise<void>((resolve) => {
      worker1.on("completed", async () => {
        if ((await redis.hlen(runsKey)) >= 4) resolve();
      });
    });
    emitter.emit("SIGTERM", "SIGTERM");
    await exited;
    expect(exitCode).toBe(0);
    const doneByFirst = await redis.hlen(runsKey);
    expect(doneByFirst).toBeLessThan(total);

    const conn2 = connection();
    const worker2 = new Worker("busy", processor, { connection: conn2, prefix, concurrency: 3 });
    const deadline = Date.now() + 15_000;
    while ((await redis.hlen(runsKey)) < total && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await worker2.close();
    await conn2.quit();
    await queue.close();
    await queueConn.quit();

    const runs = await redis.hgetall(runsKey);
    expect(Object.keys(runs)).toHaveLength(total);
    expect(Object.values(runs).every((n) => n === "1")).toBe(true);
  });
});
