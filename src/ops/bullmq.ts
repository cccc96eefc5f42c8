import type { JobType, Queue, Worker } from "bullmq";
import type { WorkerProbe } from "./health.ts";
import type { QueueSnapshot } from "./metrics.ts";
import type { ProgressTracker } from "./progress.ts";

/**
 * Glue between BullMQ and the ops probes: queue depth and age for /metrics, progress heartbeats
 * and pending counts for /healthz. Kept here so the queue modules need not know about probes.
 */

/** Jobs not yet done: waiting, prioritized, delayed, active, waiting for children. */
const PENDING_STATES: JobType[] = [
  "waiting",
  "prioritized",
  "delayed",
  "active",
  "waiting-children",
];
/** Jobs that could run now (a delayed job is waiting on purpose, e.g. a 429's Retry-After). */
const RUNNABLE_STATES: JobType[] = ["waiting", "prioritized"];

async function countOf(queue: Queue, states: JobType[]): Promise<number> {
  const counts = await queue.getJobCounts(...states);
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Depth and oldest runnable job age of each queue, for `createMetrics({ queueSnapshot })`. */
export function bullmqQueueSnapshot(
  queues: readonly Queue[],
  now: () => number = Date.now,
): () => Promise<QueueSnapshot[]> {
  return () =>
    Promise.all(
      queues.map(async (queue) => {
        const depth = await countOf(queue, PENDING_STATES);
        // asc = true: oldest first; one job is enough.
        const [oldest] = await queue.getJobs(RUNNABLE_STATES, 0, 0, true);
        const age = oldest ? Math.max(0, (now() - oldest.timestamp) / 1000) : 0;
        return { queue: queue.name, depth, oldestAgeSeconds: age };
      }),
    );
}

/** Beats the tracker whenever the worker finishes a job, successfully or not (both are progress). */
export function trackWorkerProgress(worker: Worker, tracker: ProgressTracker, name: string): void {
  const beat = () => tracker.beat(name);
  worker.on("completed", beat);
  worker.on("failed", beat);
}

/**
 * A liveness probe for a BullMQ worker: stale when runnable jobs wait and the worker has finished
 * none for `staleAfterMs`. Delayed jobs do not count: they wait on purpose.
 */
export function bullmqWorkerProbe(
  queue: Queue,
  tracker: ProgressTracker,
  name: string,
  staleAfterMs: number,
): WorkerProbe {
  return {
    name,
    lastProgressAt: () => tracker.lastProgressAt(name),
    pending: () => countOf(queue, RUNNABLE_STATES),
    staleAfterMs,
  };
}
