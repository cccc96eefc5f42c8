import type { Logger } from "pino";
import { pino } from "pino";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Prometheus series for the whole app. One `Registry` per process (not prom-client's global one,
 * so tests and several apps in one process never collide). Other modules receive the typed handles
 * and increment them; nothing else in the app imports prom-client.
 *
 * Label values must come from small fixed sets (entity names, outcome words, "slack" | "ion"):
 * every distinct value is a new time series, so never put ids, channels or user names in a label.
 */

export const METRIC_PREFIX = "cloudsuite_";

/** One queue's backlog as seen at scrape time. */
export interface QueueSnapshot {
  queue: string;
  /** Jobs waiting + delayed + active (everything not yet done). */
  depth: number;
  /** Age in seconds of the oldest job still waiting; 0 when the queue is empty. */
  oldestAgeSeconds: number;
}

export interface MetricsOptions {
  /** Reads every queue's depth and oldest age; called at most once per scrape (single flight). */
  queueSnapshot?: () => Promise<QueueSnapshot[]>;
  /** Process metrics (CPU, memory, event loop lag, GC); on by default. */
  defaultMetrics?: boolean;
  /** Extra labels on every series, e.g. `{ role: "worker" }`. */
  defaultLabels?: Record<string, string>;
  logger?: Logger;
}

export type PollOutcome = "ok" | "error" | "skipped";
export type RecordOutcome = "new" | "changed" | "unchanged" | "quarantined";
export type PostOutcome = "posted" | "updated" | "failed" | "dead_letter" | "ambiguous";
export type RateLimitSide = "slack" | "ion";
export type TokenRefreshOutcome = "ok" | "error";
export type ApprovalOutcome = "approved" | "rejected" | "expired" | "escalated" | "denied";
export type BodOutcome =
  | "accepted"
  | "ignored"
  | "unauthenticated"
  | "too_large"
  | "malformed"
  | "forbidden_doctype"
  | "invalid_record"
  | "error";

export interface Metrics {
  registry: Registry;
  /** Poll runs by entity and outcome. */
  polls: Counter<"entity" | "outcome">;
  /** Records read by entity and what change detection decided. */
  records: Counter<"entity" | "outcome">;
  /** Alerts raised, by kind (new_invoice, price_variance, …). */
  alerts: Counter<"kind">;
  /** Slack posts and updates by outcome. */
  posts: Counter<"outcome">;
  /** HTTP 429 answers received, by side. */
  rateLimited: Counter<"side">;
  /** Queue backlog (gauge, read at scrape time). */
  queueDepth: Gauge<"queue">;
  /** Age of the oldest waiting job (gauge, read at scrape time). */
  queueOldestAge: Gauge<"queue">;
  /** Seconds from alert stored to Slack post confirmed. */
  deliveryLag: Histogram<"destination">;
  /** ION token refreshes and sign-ins by outcome. */
  tokenRefreshes: Counter<"outcome">;
  /** Approval decisions by outcome. */
  approvals: Counter<"outcome">;
  /** Jobs moved to the dead letter, by reason (Slack error name or "attempts_exhausted"). */
  deadLetters: Counter<"reason">;
  /** Requests refused because the Slack signature was missing, wrong or stale. */
  slackSignatureRejections: Counter;
  /** `POST /ion/bod` requests by outcome. */
  bodRequests: Counter<"outcome">;
  /** Records taken from BODs, by entity. */
  bodRecords: Counter<"entity">;
  /** `POST /m3/events` requests by outcome. */
  pushRequests: Counter<"outcome">;
  /** M3 events received, by outcome (targets, unknown_table, head_deleted, invalid, ...). */
  pushEvents: Counter<"outcome">;
  /** Push reads run by a sync worker: `done`, `not_primed`, `unsupported`, `failed` (gave up). */
  pushReads: Counter<"outcome">;
}

const silent = pino({ level: "silent" });

/** Shares one in-flight read between both queue gauges and keeps it briefly for the same scrape. */
function singleFlight<T>(fn: () => Promise<T>, keepMs: number): () => Promise<T> {
  let current: { promise: Promise<T>; at: number } | undefined;
  return () => {
    const now = Date.now();
    if (current && now - current.at < keepMs) return current.promise;
    const promise = fn();
    current = { promise, at: now };
    promise.catch(() => {
      current = undefined;
    });
    return promise;
  };
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const logger = options.logger ?? silent;
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  }
  const registers = [registry];
  const p = METRIC_PREFIX;

  const snapshot = options.queueSnapshot ? singleFlight(options.queueSnapshot, 1000) : undefined;
  /** Sets one gauge from the shared snapshot; on failure clears it rather than report stale values. */
  const fillFrom = async (gauge: Gauge<"queue">, pick: (q: QueueSnapshot) => number) => {
    if (!snapshot) return;
    try {
      const queues = await snapshot();
      gauge.reset();
      for (const q of queues) gauge.set({ queue: q.queue }, pick(q));
    } catch (err) {
      gauge.reset();
      logger.warn({ err }, "queue metrics could not be read");
    }
  };

  const queueDepth: Gauge<"queue"> = new Gauge({
    name: `${p}queue_depth`,
    help: "Jobs not yet done (waiting, delayed, active) per queue, read at scrape time",
    labelNames: ["queue"] as const,
    registers,
    collect: () => fillFrom(queueDepth, (q) => q.depth),
  });
  const queueOldestAge: Gauge<"queue"> = new Gauge({
    name: `${p}queue_oldest_age_seconds`,
    help: "Age of the oldest job still waiting per queue (0 when empty), read at scrape time",
    labelNames: ["queue"] as const,
    registers,
    collect: () => fillFrom(queueOldestAge, (q) => q.oldestAgeSeconds),
  });

  return {
    registry,
    polls: new Counter({
      name: `${p}polls_total`,
      help: "Poll runs against the ERP by entity and outcome (ok, error, skipped)",
      labelNames: ["entity", "outcome"] as const,
      registers,
    }),
    records: new Counter({
      name: `${p}records_total`,
      help: "Records read by entity and change outcome (new, changed, unchanged, quarantined)",
      labelNames: ["entity", "outcome"] as const,
      registers,
    }),
    alerts: new Counter({
      name: `${p}alerts_total`,
      help: "Alerts raised by kind",
      labelNames: ["kind"] as const,
      registers,
    }),
    posts: new Counter({
      name: `${p}slack_posts_total`,
      help: "Slack posts and message updates by outcome",
      labelNames: ["outcome"] as const,
      registers,
    }),
    rateLimited: new Counter({
      name: `${p}rate_limited_total`,
      help: "HTTP 429 answers received, by side (slack, ion)",
      labelNames: ["side"] as const,
      registers,
    }),
    queueDepth,
    queueOldestAge,
    deliveryLag: new Histogram({
      name: `${p}delivery_lag_seconds`,
      help: "Seconds from alert stored to delivery confirmed",
      labelNames: ["destination"] as const,
      // From "instant" to "stuck behind a long 429 or a Slack outage".
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
      registers,
    }),
    tokenRefreshes: new Counter({
      name: `${p}ion_token_refreshes_total`,
      help: "ION token refreshes and sign-ins by outcome",
      labelNames: ["outcome"] as const,
      registers,
    }),
    approvals: new Counter({
      name: `${p}approvals_total`,
      help: "Approval decisions by outcome (approved, rejected, expired, escalated, denied)",
      labelNames: ["outcome"] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: `${p}dead_letters_total`,
      help: "Deliveries moved to the dead letter, by reason",
      labelNames: ["reason"] as const,
      registers,
    }),
    slackSignatureRejections: new Counter({
      name: `${p}slack_signature_rejections_total`,
      help: "Requests refused for a missing, wrong or stale Slack signature",
      registers,
    }),
    bodRequests: new Counter({
      name: `${p}bod_requests_total`,
      help: "POST /ion/bod requests by outcome",
      labelNames: ["outcome"] as const,
      registers,
    }),
    bodRecords: new Counter({
      name: `${p}bod_records_total`,
      help: "Canonical records taken from ION BODs, by entity",
      labelNames: ["entity"] as const,
      registers,
    }),
    pushRequests: new Counter({
      name: `${p}push_requests_total`,
      help: "POST /m3/events requests by outcome",
      labelNames: ["outcome"] as const,
      registers,
    }),
    pushEvents: new Counter({
      name: `${p}push_events_total`,
      help: "M3 events pushed, by outcome (read, or why ignored)",
      labelNames: ["outcome"] as const,
      registers,
    }),
    pushReads: new Counter({
      name: `${p}push_reads_total`,
      help: "Reads of one record named by an M3 event, by outcome",
      labelNames: ["outcome"] as const,
      registers,
    }),
  };
}
