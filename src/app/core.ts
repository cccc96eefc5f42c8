import { WebClient } from "@slack/web-api";
import type { Queue } from "bullmq";
import type { Logger } from "pino";
import { approvalDecisions } from "../approvals/decisions.ts";
import { isReflectable, markReflectDue } from "../approvals/erp-due.ts";
import { createApprovalStore } from "../approvals/store.ts";
import type { AuditLog } from "../audit/log.ts";
import type { AuditRetention } from "../audit/types.ts";
import type { AppEnv } from "../config/env.ts";
import type { RoutingConfig } from "../config/routing-schema.ts";
import type { DeliveryConfigInput } from "../delivery/config.ts";
import type { Delivery } from "../delivery/delivery.ts";
import {
  approvalHooks,
  createExceptionPipeline,
  type ExceptionPipeline,
} from "../pipeline/compose.ts";
import { lookupsFromSources } from "../pipeline/lookups.ts";
import { codeOf } from "../shared/error-code.ts";
import { createRedisClient, duplicateClient, type RedisClient } from "../shared/redis-client.ts";
import type { SlackAuditFn } from "../slack/audit-events.ts";
import { auditInputOf, slackAuditToLog } from "../slack/audit-sink.ts";
import { createSlackDelivery } from "../slack/destination/delivery.ts";
import { pacedFetch } from "../slack/destination/method-pacing.ts";
import { withApproverCards } from "../slack/direct/approver-cards.ts";
import { type ApprovalSide, approverCardsFromRouting, createApprovalSide } from "./approvals.ts";
import { createInforSide, type InforSide } from "./infor.ts";
import { createMaintenanceQueue, type MaintenanceJobData } from "./maintenance.ts";
import { deliveryConfigFor, linksFor } from "./routing.ts";
import { createSyncSide, type SyncSide } from "./sync.ts";
import { webhookRoutes } from "./webhooks.ts";

export interface Core {
  prefix: string;
  redis: RedisClient;
  /** Connection of the BullMQ queues (the sync queue). */
  bull: RedisClient;
  infor: InforSide;
  delivery: Delivery;
  slackClient: WebClient;
  /**
   * Tiered Web API calls allowed back to back (routing.yml delivery.methodBurst, or the caller's
   * delivery override): the Bolt app's paced client takes the same figure on the same budgets.
   */
  methodBurst: number | undefined;
  audit: SlackAuditFn;
  approvals: ApprovalSide;
  pipeline: ExceptionPipeline;
  sync: SyncSide;
  /** Audit retention and the pipeline's safety sweep (maintenance.ts). */
  maintenance: Queue<MaintenanceJobData>;
  /** Closes queues, revokes ION tokens, quits Redis (workers are the caller's). */
  close(): Promise<void>;
}

/**
 * A finance audit trail outlives the fiscal year it covers (and the pipeline keeps invoice state
 * 400 days); without a bound the stream grows until Redis (noeviction) refuses writes.
 */
export const DEFAULT_AUDIT_RETENTION: AuditRetention = { maxAgeMs: 400 * 86_400_000 };

/**
 * Everything every role and every CLI task shares, built from env + routing.yml: Redis, the
 * Infor clients and sources, delivery and its audit log, approvals, the exception pipeline and
 * the sync engine's dependencies. Nothing here starts a loop or a server.
 */
export function createCore(o: {
  env: AppEnv;
  routing: RoutingConfig;
  logger: Logger;
  prefix: string;
  connectionName: string;
  delivery?: DeliveryConfigInput;
  requestsPerMinute?: number;
  pageSize?: number;
  pollLockTtlMs?: number;
  /** Audit log retention, applied by the scheduled trim (default: entries older than 400 days). */
  auditRetention?: AuditRetention;
}): Core {
  const { env, routing, logger, prefix } = o;
  // BullMQ needs maxRetriesPerRequest: null on every connection it uses (toolchain notes).
  const redis = createRedisClient(env.redis, {
    maxRetriesPerRequest: null,
    connectionName: o.connectionName,
  });
  redis.on("error", (err) => logger.warn({ code: codeOf(err) }, "redis error"));
  const bull = duplicateClient(redis, { maxRetriesPerRequest: null });
  bull.on("error", () => {});
  try {
    const infor = createInforSide({
      ionapiText: env.ionapiText,
      routing,
      redis,
      prefix,
      logger,
      ...(o.requestsPerMinute ? { requestsPerMinute: o.requestsPerMinute } : {}),
    });
    // One approvals store: delivery reads decisions from it so edits keep stamps and buttons.
    // Its transitions write their audit entry in the same Lua step (delivery owns the log).
    let auditLog: AuditLog | undefined;
    const approvalStore = createApprovalStore({
      redis,
      prefix,
      prepareAudit: (event) => {
        if (!auditLog) throw new Error("approvals: audit log used before delivery created it");
        return auditLog.prepare(auditInputOf(event));
      },
    });
    const deliveryConfig = deliveryConfigFor(routing, o.delivery);
    const webhooks = webhookRoutes(routing, env.webhookSecrets);
    const slackClient = new WebClient(env.slackBotToken, {
      slackApiUrl: env.slackApiUrl,
      // tiered methods paced through Redis, one budget per method for every replica and role
      fetch: pacedFetch({
        redis,
        prefix,
        ...(deliveryConfig.methodBurst !== undefined ? { burst: deliveryConfig.methodBurst } : {}),
        // The scheduler's client (sweeps, decisions reflected from M3): nobody waits on its
        // answer, so a call waits its turn in the shared budget instead of going unreserved
        // after the interactive 2 s and drawing a 429 under a burst of background edits.
        maxWaitMs: 60_000,
      }),
      retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
    });
    const bulk = createSlackDelivery({
      connection: redis,
      prefix,
      slack: { token: env.slackBotToken, slackApiUrl: env.slackApiUrl },
      others: webhooks.destinations,
      mirrors: webhooks.mirrors,
      logger: logger.child({ component: "delivery" }),
      config: deliveryConfig,
      links: linksFor(routing),
      decisions: approvalDecisions(approvalStore),
      auditRetention: o.auditRetention ?? DEFAULT_AUDIT_RETENTION,
      auditPostShapes: env.auditPostShapes,
      ...(env.redis.replicaAcks ? { replicaAcks: env.redis.replicaAcks } : {}),
    });
    // Every alert that asks for a decision also goes to its approvers' direct messages.
    const delivery: Delivery = routing.approvals.dmApprovers
      ? {
          ...bulk,
          enqueue: withApproverCards(
            bulk.enqueue,
            approverCardsFromRouting({
              routing,
              store: approvalStore,
              client: slackClient,
              redis,
              prefix,
            }),
            logger.child({ component: "approver-cards" }),
          ),
        }
      : bulk;
    auditLog = delivery.audit;
    const audit = slackAuditToLog(delivery.audit);
    const approvals = createApprovalSide({
      redis,
      prefix,
      store: approvalStore,
      routing,
      client: slackClient,
      sourceFor: (s) => infor.sourceFor(s),
      clients: infor.clients,
      logger,
    });
    const pipeline = createExceptionPipeline({
      redis,
      prefix,
      routing,
      lookups: lookupsFromSources((scope) => infor.sourceFor(scope)),
      ...approvalHooks({ store: approvals.store, audit }),
      logger: logger.child({ component: "pipeline" }),
    });
    const reflecting = routing.tenants.some((t) => t.writeBack.mode !== "off");
    const sync = createSyncSide({
      redis,
      bullConnection: bull,
      prefix,
      routing,
      infor,
      delivery,
      extraAlerts: async (event) => {
        // A supplier invoice changed in M3 (poll or push): check it for a decision taken there
        // now, not at the next reflection pass over every open approval.
        if (reflecting && isReflectable(event))
          await markReflectDue(redis, prefix, event.recordKey);
        return pipeline.extraAlerts(event);
      },
      batchScope: pipeline.batchScope,
      partitionOf: pipeline.partitionOf,
      prefetch: pipeline.prefetch,
      ...(o.pageSize ? { pageSize: o.pageSize } : {}),
      ...(o.pollLockTtlMs ? { lockTtlMs: o.pollLockTtlMs } : {}),
      logger,
    });
    const maintenance = createMaintenanceQueue(bull, { bullPrefix: sync.bullPrefix });
    // Queues re-emit their connection's errors (Redis restarting, unreachable): log the code once
    // per event instead of letting them print stack traces.
    for (const queue of [delivery.queue, sync.queue, maintenance]) {
      queue.on("error", (err: Error) =>
        logger.warn({ queue: queue.name, code: codeOf(err) }, "queue error"),
      );
    }
    return {
      prefix,
      redis,
      bull,
      infor,
      delivery,
      slackClient,
      methodBurst: deliveryConfig.methodBurst,
      audit,
      approvals,
      pipeline,
      sync,
      maintenance,
      async close() {
        await delivery.close().catch((err: unknown) => logger.warn({ err }, "delivery close"));
        await sync.queue.close().catch(() => {});
        await maintenance.close().catch(() => {});
        await infor.close().catch((err: unknown) => logger.warn({ err }, "ION close"));
        for (const c of [bull, redis]) await c.quit().catch(() => c.disconnect());
      },
    };
  } catch (err) {
    bull.disconnect();
    redis.disconnect();
    throw err;
  }
}
