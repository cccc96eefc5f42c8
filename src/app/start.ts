import type { Worker } from "bullmq";
import { startOpsServer } from "../ops/routes.ts";
import { type Closer, createShutdown } from "../ops/shutdown.ts";
import { codeOf } from "../shared/error-code.ts";
import { describeTarget, duplicateClient, type RedisClient } from "../shared/redis-client.ts";
import type { SyncWorker } from "../sync/worker.ts";
import { startApprovalSweeps } from "./approvals.ts";
import { createCore } from "./core.ts";
import { startErpReflection } from "./erp-approvals.ts";
import {
  applyMaintenanceSchedules,
  type MaintenanceJobData,
  maintenanceSettings,
  startMaintenanceWorker,
} from "./maintenance.ts";
import { messageRefresherVia } from "./message-refresh.ts";
import { createOpsSide } from "./ops.ts";
import { startSyncWorker, upsertSchedules } from "./sync.ts";
import { threadPosterVia } from "./thread-notes.ts";
import { type AppHandle, effectiveRoles, type StartAppOptions } from "./types.ts";
import { startWebRole } from "./web.ts";

/**
 * Composes the app from its configuration and starts the roles asked for. Everything impure is
 * built once (core.ts) and handed down; each role starts only its own loops and servers:
 *   web        Bolt (commands, buttons, App Home) + /healthz /readyz /metrics + POST /ion/bod
 *   worker     delivery workers (Slack posts), sync workers (polls), the maintenance worker
 *   scheduler  poll job schedulers from routing.yml, maintenance job schedulers (audit
 *              retention, open-exception recheck), approval reminder sweeps
 * Roles without web serve the ops routes on a small HTTP server of their own.
 */
export async function startApp(o: StartAppOptions): Promise<AppHandle> {
  const { env, routing, logger } = o;
  const over = o.overrides ?? {};
  const roles = effectiveRoles(o.roles);
  const roleName = [...roles].sort().join("+");
  const maintenance = maintenanceSettings({
    recheckEveryMs: env.exceptionRecheckMinutes * 60_000,
    ...over.maintenance,
  });
  const core = createCore({
    env,
    routing,
    logger,
    prefix: over.prefix ?? env.redisPrefix,
    connectionName: `cloudsuite-slack:${roleName}`,
    ...(over.delivery ? { delivery: over.delivery } : {}),
    ...(over.requestsPerMinute ? { requestsPerMinute: over.requestsPerMinute } : {}),
    ...(over.pageSize ? { pageSize: over.pageSize } : {}),
    ...(over.pollLockTtlMs ? { pollLockTtlMs: over.pollLockTtlMs } : {}),
    auditRetention: over.auditRetention ?? { maxAgeMs: env.auditRetentionDays * 86_400_000 },
  });
  const ops = createOpsSide({
    redis: env.redis,
    prefix: core.prefix,
    queues: [core.delivery.queue, core.sync.queue, core.maintenance],
    slackClient: core.slackClient,
    clients: core.infor.clients,
    role: roleName,
    pollsReadiness: roles.has("worker"),
    logger,
  });
  // Order that loses nothing (ops/shutdown.ts): stop intake, finish jobs, revoke, close Redis.
  const closers: Closer[] = [{ name: "drain", close: async () => ops.health.setDraining() }];
  let syncWorker: SyncWorker | undefined;
  let syncConnection: RedisClient | undefined;
  let maintenanceWorker: Worker<MaintenanceJobData> | undefined;
  const tail: Closer[] = [
    { name: "sync-worker", close: async () => syncWorker?.close() },
    // Waits for a running trim or recheck; both are safe to cut by the deadline (a recheck hands
    // alerts to delivery before it commits, so the next run recomputes the same alert ids).
    { name: "maintenance-worker", close: async () => maintenanceWorker?.close() },
    { name: "sync-connection", close: async () => void (await syncConnection?.quit()) },
    { name: "core", close: () => core.close() },
    { name: "ops", close: () => ops.close() },
  ];
  const abort = async () => {
    for (const c of [...closers, ...tail]) {
      await c.close(new AbortController().signal).catch(() => {});
    }
  };

  try {
    let url: string | undefined;
    let slackRequestUrl: string | undefined;
    const port = over.port ?? env.port;
    if (roles.has("web")) {
      const web = await startWebRole({
        env,
        routing,
        core,
        ops,
        logger,
        port,
        ...(over.botId ? { botId: over.botId } : {}),
        ...(over.botUserId ? { botUserId: over.botUserId } : {}),
        bodAuth: over.bod,
        ...(over.push ? { pushAuth: over.push } : {}),
      });
      url = web.url;
      slackRequestUrl = web.slackRequestUrl;
      closers.push({ name: "http", close: () => web.stop() });
    } else {
      const server = await startOpsServer(ops.routes(), { port });
      url = `http://127.0.0.1:${server.port}`;
      closers.push({ name: "ops-http", close: () => server.close() });
    }

    if (roles.has("scheduler")) {
      await upsertSchedules(core.sync, logger);
      const applied = await applyMaintenanceSchedules(core.maintenance, maintenance);
      logger.info(applied, "maintenance schedules applied");
      const stopSweeps = startApprovalSweeps({
        store: core.approvals.store,
        routing,
        client: core.slackClient,
        audit: core.audit,
        logger,
        everyMs: over.approvalSweepMs ?? 5 * 60_000,
        threadPoster: threadPosterVia((alert) => core.delivery.enqueue(alert)),
        messageRefresher: messageRefresherVia(core.delivery, core.approvals.store),
      });
      closers.push({ name: "approval-sweeps", close: stopSweeps });
      const erpSide = core.approvals.erpSide;
      if (erpSide && routing.tenants.some((t) => t.writeBack.mode !== "off")) {
        const stopReflection = startErpReflection({
          store: core.approvals.store,
          writer: erpSide.writer,
          adapterFor: erpSide.adapterFor,
          modeFor: erpSide.modeFor,
          changedSince: erpSide.changedSince,
          audit: core.audit,
          client: core.slackClient,
          logger,
          everyMs: over.erpReflectMs ?? 60_000,
          redis: core.redis,
          prefix: core.prefix,
          threadPoster: threadPosterVia((alert) => core.delivery.enqueue(alert)),
          messageRefresher: messageRefresherVia(core.delivery, core.approvals.store),
        });
        closers.push({ name: "erp-reflection", close: stopReflection });
      }
    }

    if (roles.has("worker")) {
      const deliveryWorker: Worker = core.delivery.startWorker();
      ops.watchDeliveryWorker(deliveryWorker, core.delivery.queue);
      syncConnection = duplicateClient(core.redis, { maxRetriesPerRequest: null });
      // Without a listener ioredis prints every reconnect failure to stderr; the sync worker
      // logs its own errors already.
      syncConnection.on("error", (err) => logger.warn({ code: codeOf(err) }, "sync redis error"));
      syncWorker = startSyncWorker(core.sync, syncConnection);
      ops.watchSyncWorker(syncWorker.worker, core.sync.queue);
      maintenanceWorker = startMaintenanceWorker({
        connection: core.bull,
        bullPrefix: core.sync.bullPrefix,
        recheckLimit: maintenance.recheckLimit,
        tasks: {
          trimAudit: () => core.delivery.audit.trim(),
          recheckOpen: (limit) =>
            core.pipeline.recheckOpen(
              async (alerts) => {
                for (const alert of alerts) await core.delivery.enqueue(alert);
              },
              { limit },
            ),
        },
        logger: logger.child({ component: "maintenance" }),
      });
    }

    const shutdown = createShutdown({
      closers: [...closers, ...tail],
      logger,
      deadlineMs: over.shutdownDeadlineMs ?? 25_000,
      exit: over.handleSignals ? (code) => process.exit(code) : () => {},
    });
    if (over.handleSignals) shutdown.install();
    // Hosts and ports only: a password in REDIS_URL never reaches a log line.
    logger.info(
      { roles: [...roles], url, redis: describeTarget(env.redis) },
      "cloudsuite-slack started",
    );
    return {
      url,
      slackRequestUrl,
      roles: [...roles],
      async close() {
        await shutdown.run("close");
        shutdown.uninstall();
      },
    };
  } catch (err) {
    await abort();
    throw err;
  }
}
