import { EventEmitter } from "node:events";
import type { WebClient } from "@slack/web-api";
import type { Queue, Worker } from "bullmq";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { createOpsSide } from "../../src/app/ops.ts";
import { REDIS_URL } from "../sync/helpers.ts";

/** Push reads share the sync queue: counted as push reads, never as polls (nor crash the count). */
describe("sync worker metrics with push reads", () => {
  const ops = createOpsSide({
    redis: { mode: "single", url: REDIS_URL },
    queues: [],
    slackClient: {} as WebClient,
    clients: new Map(),
    role: "worker",
    logger: pino({ level: "silent" }),
  });
  afterAll(() => ops.close());

  it("counts push-read outcomes apart from polls", async () => {
    const worker = new EventEmitter();
    ops.watchSyncWorker(worker as unknown as Worker, {} as Queue);
    const schedule = { entity: "supplier_invoice" };
    const job = (name: string, attemptsMade = 1) => ({
      name,
      data: { schedule },
      attemptsMade,
      opts: { attempts: 3 },
    });
    worker.emit("completed", job("push-read"), { status: "not_primed" });
    worker.emit("completed", job("push-read"), { status: "done", counts: { new: 1 } });
    worker.emit("failed", job("push-read", 1), new Error("sync_busy"));
    worker.emit("failed", job("push-read", 3), new Error("sync_busy"));
    worker.emit("completed", job("poll"), { status: "done", counts: { new: 2 } });
    const value = async (name: "pushReads" | "polls", labels: Record<string, string>) =>
      (await ops.metrics[name].get()).values.find((v) =>
        Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x),
      )?.value ?? 0;
    expect(await value("pushReads", { outcome: "not_primed" })).toBe(1);
    expect(await value("pushReads", { outcome: "done" })).toBe(1);
    expect(await value("pushReads", { outcome: "failed" })).toBe(1);
    expect(await value("polls", { outcome: "ok" })).toBe(1);
    expect(await value("polls", { outcome: "error" })).toBe(0);
  });
});
