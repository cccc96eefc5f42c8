import type { WebClient } from "@slack/web-api";
import type { Queue, Worker } from "bullmq";
import type { Logger } from "pino";
import type { InforClient } from "../infor/create-client.ts";
import type { BodHandlerOptions } from "../ops/bod/handler.ts";
import { bullmqQueueSnapshot, bullmqWorkerProbe, trackWorkerProgress } from "../ops/bullmq.ts";
import { ionTokenCheck, pollsCheck, type ReadinessCheck, slackAuthCheck } from "../ops/checks.ts";
import { createEventLoopMonitor, type EventLoopMonitor } from "../ops/event-loop.ts";
import { createHealth, type Health, type WorkerProbe } from "../ops/health.ts";
import { createMetrics, type Metrics } from "../ops/metrics.ts";
import { opsRoutes } from "../ops/ops-routes.ts";
import { ProgressTracker } from "../ops/progress.ts";
import type { PushHandlerOptions } from "../ops/push/handler.ts";
import { createRedisProbe } from "../ops/redis-probe.ts";
import type { HttpRoute } from "../ops/routes.ts";
import { codeOf } from "../shared/error-code.ts";
import type { RedisTarget } from "../shared/redis-client.ts";
import type { PollResult } from "../sync/poll.ts";
import { type PollJobData, PUSH_READ_JOB_NAME } from "../sync/schedules.ts";
import { getSyncStatus } from "../sync/sync-status.ts";

export interface OpsSide {
  metrics: Metrics;
  health: Health;
  progress: ProgressTracker;
  eventLoop: EventLoopMonitor;
  /** Liveness probes of the workers this process runs (added as they start). */
  workers: WorkerProbe[];
  routes(bod?: BodHandlerOptions, push?: PushHandlerOptions): HttpRoute[];
  /** Counts polls and records of a sync worker; beats its progress. */
  watchSyncWorker(worker: Worker<PollJobData, PollResult>, queue: Queue): void;
  /** Counts posts of a delivery worker; beats its progress. */
  watchDeliveryWorker(worker: Worker, queue: Queue): void;
  close(): Promise<void>;
}

export function createOpsSide(o: {
  redis: RedisTarget;
  /** Key prefix of the app, for the readiness write probe. */
  prefix?: string;
  queues: Queue[];
  slackClient: WebClient;
  clients: Map<string, InforClient>;
  role: string;
  /**
   * Add the `polls` readiness check (keys failing ≥ 5 times in a row). Only roles that poll
   * (worker): a web replica taken out of rotation for an ERP fault would also lose `/infor`.
   */
  pollsReadiness?: boolean;
  logger: Logger;
}): OpsSide {
  const metrics = createMetrics({
    queueSnapshot: bullmqQueueSnapshot(o.queues),
    defaultLabels: { role: o.role },
    logger: o.logger,
  });
  const probe = createRedisProbe(o.redis, o.prefix ? { prefix: o.prefix } : {});
  const readiness: ReadinessCheck[] = [
    probe.check,
    slackAuthCheck(() => o.slackClient.auth.test()),
    ...[...o.clients.values()].map((c) => ionTokenCheck(() => c.tokens.getToken())),
    // Read over the probe's own connection (no offline queue): a Redis outage fails fast here.
    ...(o.pollsReadiness && o.prefix !== undefined
      ? [pollsCheck(() => getSyncStatus({ redis: probe.redis, prefix: o.prefix as string }))]
      : []),
  ];
  const eventLoop = createEventLoopMonitor();
  const progress = new ProgressTracker();
  const workers: WorkerProbe[] = [];
  const health = createHealth({ eventLoop, workers, readiness, logger: o.logger });
  // Token managers count their grants; the counter follows them by deltas.
  const seen = { ok: 0, error: 0 };
  const sampleTokens = () => {
    let ok = 0;
    let error = 0;
    for (const c of o.clients.values()) {
      ok += c.tokens.stats.signIns;
      error += c.tokens.stats.rejected;
    }
    if (ok > seen.ok) metrics.tokenRefreshes.inc({ outcome: "ok" }, ok - seen.ok);
    if (error > seen.error) metrics.tokenRefreshes.inc({ outcome: "error" }, error - seen.error);
    seen.ok = ok;
    seen.error = error;
  };
  const tokenTimer = setInterval(sampleTokens, 15_000);
  tokenTimer.unref();

  return {
    metrics,
    health,
    progress,
    eventLoop,
    workers,
    routes(bod, push) {
      return opsRoutes({
        health,
        metrics,
        logger: o.logger,
        ...(bod ? { bod } : {}),
        ...(push ? { push } : {}),
      });
    },
    watchSyncWorker(worker, queue) {
      trackWorkerProgress(worker, progress, "sync");
      // A poll reads a few pages at the ION budget: minutes, not hours.
      workers.push(bullmqWorkerProbe(queue, progress, "sync", 10 * 60_000));
      worker.on("completed", (job, result) => {
        // Push reads share the queue; they are not polls.
        if (job.name === PUSH_READ_JOB_NAME) {
          metrics.pushReads.inc({ outcome: (result as { status?: string }).status ?? "done" });
          return;
        }
        const entity = job.data.schedule.entity;
        if (result.status === "skipped_busy") {
          metrics.polls.inc({ entity, outcome: "skipped" });
          return;
        }
        metrics.polls.inc({ entity, outcome: "ok" });
        const c = result.counts;
        if (c.new) metrics.records.inc({ entity, outcome: "new" }, c.new);
        if (c.updated) metrics.records.inc({ entity, outcome: "changed" }, c.updated);
        if (c.unchanged) metrics.records.inc({ entity, outcome: "unchanged" }, c.unchanged);
        if (c.quarantined) metrics.records.inc({ entity, outcome: "quarantined" }, c.quarantined);
      });
      worker.on("failed", (job) => {
        // A push read that failed its last attempt leaves the record to the next poll.
        if (job?.name === PUSH_READ_JOB_NAME) {
          if (job.attemptsMade >= (job.opts.attempts ?? 1)) {
            metrics.pushReads.inc({ outcome: "failed" });
          }
          return;
        }
        if (job) metrics.polls.inc({ entity: job.data.schedule.entity, outcome: "error" });
      });
    },
    watchDeliveryWorker(worker, queue) {
      trackWorkerProgress(worker, progress, "delivery");
      workers.push(bullmqWorkerProbe(queue, progress, "delivery", 5 * 60_000));
      // The processor's result says what happened (src/delivery/processor.ts JobResult).
      worker.on("completed", (job, result: { status?: string; detail?: string } | undefined) => {
        const status = result?.status;
        if (status === "posted" || status === "updated") {
          metrics.posts.inc({ outcome: status });
          const created = Date.parse(
            (job.data as { alert?: { createdAt?: string } }).alert?.createdAt ?? "",
          );
          if (Number.isFinite(created)) {
            metrics.deliveryLag.observe(
              { destination: "slack" },
              Math.max(0, Date.now() - created) / 1000,
            );
          }
        } else if (status === "resolved") {
          metrics.posts.inc({ outcome: "ambiguous" });
        } else if (status === "dead_letter") {
          metrics.posts.inc({ outcome: "dead_letter" });
          metrics.deadLetters.inc({ reason: result?.detail ?? "unknown" });
        }
      });
      worker.on("failed", (_job, err) => {
        metrics.posts.inc({ outcome: "failed" });
        if (codeOf(err) === "slack_webapi_rate_limited_error") {
          metrics.rateLimited.inc({ side: "slack" });
        }
      });
    },
    async close() {
      clearInterval(tokenTimer);
      sampleTokens();
      eventLoop.stop();
      await probe.redis.quit().catch(() => probe.redis.disconnect());
    },
  };
}
