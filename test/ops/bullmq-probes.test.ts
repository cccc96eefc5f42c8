import { randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import {
  bullmqQueueSnapshot,
  bullmqWorkerProbe,
  trackWorkerProgress,
} from "../../src/ops/bullmq.ts";
import { createHealth } from "../../src/ops/health.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import { ProgressTracker } from "../../src/ops/progress.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("BullMQ probes", () => {
  const prefix = `test:ops-bullmq:${randomUUID()}`;
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue("delivery", { connection: conn, prefix });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await conn.quit();
  });

  it("reports depth and oldest age, flags a worker that makes no progress, and clears on progress", async () => {
    let clock = Date.now();
    await queue.addBulk([
      { name: "post", data: {} },
      { name: "post", data: {} },
      { name: "post", data: {}, opts: { delay: 60_000 } },
    ]);
    const metrics = createMetrics({
      defaultMetrics: false,
      queueSnapshot: bullmqQueueSnapshot([queue], () => clock + 30_000),
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('cloudsuite_queue_depth{queue="delivery"} 3');
    const age = Number(
      /cloudsuite_queue_oldest_age_seconds\{queue="delivery"\} ([\d.]+)/.exec(text)?.[1],
    );
    expect(age).toBeGreaterThanOrEqual(29);
    expect(age).toBeLessThan(60);

    const tracker = new ProgressTracker(() => clock);
    const health = createHealth({
      now: () => clock,
      workers: [bullmqWorkerProbe(queue, tracker, "delivery", 5_000)],
    });
    // The first probe sees the work waiting and starts the clock; 10 s later nothing moved.
    expect((await health.liveness()).status).toBe("ok");
    clock += 10_000;
    const stuck = await health.liveness();
    expect(stuck).toMatchObject({
      status: "fail",
      checks: { "worker:delivery": { detail: { pending: 2 } } },
    });

    const workerConn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker("delivery", async () => {}, { connection: workerConn, prefix });
    trackWorkerProgress(worker, tracker, "delivery");
    await new Promise<void>((resolve) => {
      let done = 0;
      worker.on("completed", () => {
        if (++done === 2) resolve();
      });
    });
    await worker.close();
    await workerConn.quit();
    const ok = await health.liveness();
    expect(ok.status).toBe("ok");
    expect(ok.checks["worker:delivery"]?.detail).toMatchObject({ pending: 0 });
  });
});
