import type { Logger } from "pino";
import { pino } from "pino";
import { type CheckResult, createCheckRunner, type ReadinessCheck, withTimeout } from "./checks.ts";
import type { EventLoopMonitor } from "./event-loop.ts";
import { asyncHandler, type HttpRoute, sendJson } from "./routes.ts";

/**
 * `/healthz` (liveness) and `/readyz` (readiness).
 *
 * Liveness answers "should this process be restarted?": the event loop is not blocked for long
 * and every worker with pending work has made progress recently. It deliberately does not depend
 * on Redis or Slack: restarting a healthy process because Redis is down fixes nothing and turns
 * one outage into a restart storm.
 *
 * Readiness answers "should traffic and work come here now?": Redis, Slack and ION answer, and
 * the process is not shutting down.
 */

export interface WorkerProbe {
  name: string;
  /** Epoch ms of the worker's last completed unit of work (see ProgressTracker). */
  lastProgressAt: () => number;
  /** Work waiting for this worker. A failure or timeout reads as "unknown" and never as stale. */
  pending: () => Promise<number> | number;
  /** How long a worker may go without progress while work waits; e.g. 5 × its longest job. */
  staleAfterMs: number;
}

export interface HealthOptions {
  eventLoop?: EventLoopMonitor;
  /** Liveness fails when the loop was blocked longer than this (ms) in the window; default 10 s. */
  maxEventLoopDelayMs?: number;
  workers?: readonly WorkerProbe[];
  readiness?: readonly ReadinessCheck[];
  /** Time allowed to read a worker's pending count; default 1000 ms. */
  pendingTimeoutMs?: number;
  now?: () => number;
  logger?: Logger;
}

export interface HealthReport {
  status: "ok" | "fail";
  /** Names of the checks that failed, for the admin reading `curl` output at 2 a.m. */
  failed: string[];
  checks: Record<string, CheckResult>;
}

export interface Health {
  liveness(): Promise<HealthReport>;
  readiness(): Promise<HealthReport>;
  /** From now on readiness fails with `draining` (shutdown started: stop sending work here). */
  setDraining(): void;
  routes(): HttpRoute[];
}

function report(checks: Record<string, CheckResult>): HealthReport {
  const failed = Object.entries(checks)
    .filter(([, r]) => !r.ok)
    .map(([name]) => name);
  return { status: failed.length === 0 ? "ok" : "fail", failed, checks };
}

export function createHealth(options: HealthOptions = {}): Health {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? pino({ level: "silent" });
  const maxDelay = options.maxEventLoopDelayMs ?? 10_000;
  const pendingTimeout = options.pendingTimeoutMs ?? 1000;
  const runCheck = createCheckRunner(now);
  let draining = false;
  /** When each worker's pending work was first seen (cleared when none is pending). */
  const pendingSince = new Map<string, number>();

  const workerResult = async (w: WorkerProbe): Promise<CheckResult> => {
    const started = now();
    let pending: number | undefined;
    try {
      pending = await withTimeout(async () => w.pending(), pendingTimeout);
    } catch {
      pending = undefined;
    }
    const at = now();
    const last = w.lastProgressAt();
    // A worker idle for hours is not stuck the moment work arrives: the clock starts when a probe
    // first sees work waiting with no progress since (a later progress restarts it).
    let seen = pendingSince.get(w.name);
    if (pending === 0) pendingSince.delete(w.name);
    else if (pending !== undefined && (seen === undefined || last > seen)) {
      seen = at;
      pendingSince.set(w.name, at);
    }
    const idleMs = at - last;
    const since = Math.max(last, seen ?? at);
    const detail = { pending: pending ?? "unknown", msSinceProgress: idleMs };
    const stale = pending !== undefined && pending > 0 && at - since > w.staleAfterMs;
    return stale
      ? { ok: false, ms: now() - started, error: "no_progress", detail }
      : { ok: true, ms: now() - started, detail };
  };

  const liveness = async (): Promise<HealthReport> => {
    const checks: Record<string, CheckResult> = {};
    if (options.eventLoop) {
      const max = Math.round(options.eventLoop.maxDelayMs());
      const p99 = Math.round(options.eventLoop.p99DelayMs());
      checks.event_loop =
        max > maxDelay
          ? { ok: false, ms: 0, error: "event_loop_blocked", detail: { maxDelayMs: max, p99 } }
          : { ok: true, ms: 0, detail: { maxDelayMs: max, p99 } };
    } else {
      checks.event_loop = { ok: true, ms: 0 };
    }
    const workers = options.workers ?? [];
    const results = await Promise.all(workers.map(workerResult));
    workers.forEach((w, i) => {
      const r = results[i];
      if (r) checks[`worker:${w.name}`] = r;
    });
    return report(checks);
  };

  const readiness = async (): Promise<HealthReport> => {
    const checks: Record<string, CheckResult> = {};
    if (draining) checks.shutdown = { ok: false, ms: 0, error: "draining" };
    const list = options.readiness ?? [];
    const results = await Promise.all(list.map((c) => runCheck(c)));
    list.forEach((c, i) => {
      const r = results[i];
      if (r) checks[c.name] = r;
    });
    return report(checks);
  };

  const route = (path: string, fn: () => Promise<HealthReport>): HttpRoute => ({
    path,
    method: ["GET", "HEAD"],
    handler: asyncHandler(async (_req, res) => {
      const r = await fn();
      if (r.status === "fail") logger.warn({ path, failed: r.failed }, "probe failed");
      sendJson(res, r.status === "ok" ? 200 : 503, r);
    }, logger),
  });

  return {
    liveness,
    readiness,
    setDraining: () => {
      draining = true;
    },
    routes: () => [route("/healthz", liveness), route("/readyz", readiness)],
  };
}
