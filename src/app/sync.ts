import type { Queue } from "bullmq";
import type { Logger } from "pino";
import { type Alert, createAlert } from "../alerts/alert.ts";
import { toNoisePolicy } from "../config/noise-policy.ts";
import type { RoutingConfig } from "../config/routing-schema.ts";
import type { Delivery } from "../delivery/delivery.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import { recordMessage } from "../slack/blocks/records.ts";
import { type AlertSinkDeps, createAlertSink } from "../sync/alert-sink.ts";
import type { SyncDeps } from "../sync/deps.ts";
import { schedulesFromRouting } from "../sync/from-routing.ts";
import { createNoiseGate } from "../sync/noise-gate.ts";
import { createReferenceCache } from "../sync/reference.ts";
import type { SyncScheduleInput } from "../sync/schedule.ts";
import { applySchedules } from "../sync/schedules.ts";
import type { ChangeEvent } from "../sync/sink.ts";
import { supplierNameResolver } from "../sync/supplier-names.ts";
import { createSyncQueue, createSyncWorker, type SyncWorker } from "../sync/worker.ts";
import type { InforSide } from "./infor.ts";
import { channelOf, routeFnFor } from "./routing.ts";

export interface SyncSide {
  deps: SyncDeps;
  schedules: SyncScheduleInput[];
  queue: Queue;
  bullPrefix: string;
}

/** The sync engine's dependencies: sources, the alert sink on delivery + audit, routing. */
/** Partitions of a page the sink handles at once (see AlertSinkDeps.concurrency). */
const SINK_CONCURRENCY = 8;

export function createSyncSide(o: {
  redis: RedisClient;
  bullConnection: RedisClient;
  prefix: string;
  routing: RoutingConfig;
  infor: InforSide;
  delivery: Delivery;
  extraAlerts?: (event: ChangeEvent) => Promise<Alert[]>;
  /** The pipeline's `batchScope`: a page's POs read in a few set-based reads. */
  batchScope?: AlertSinkDeps["batchScope"];
  /** The pipeline's `partitionOf`: a page's suppliers are handled side by side. */
  partitionOf?: AlertSinkDeps["partitionOf"];
  /** The pipeline's `prefetch`: the next page's POs read while this one is handled. */
  prefetch?: AlertSinkDeps["prefetch"];
  pageSize?: number;
  /** Poll lock TTL (sync's default 60 s): how long a crashed worker's poll blocks its key. */
  lockTtlMs?: number;
  logger: Logger;
}): SyncSide {
  const bullPrefix = `${o.prefix}bull`;
  const reference = createReferenceCache({ redis: o.redis, prefix: o.prefix });
  const opsChannel = channelOf(o.routing, o.routing.opsChannel);
  const sink = createAlertSink({
    enqueue: (alert) => o.delivery.enqueue(alert),
    // A page's alerts queued in groups: a round trip per group, not three per alert.
    enqueueMany: (alerts) => o.delivery.enqueueMany(alerts),
    audit: o.delivery.audit,
    opsChannel,
    defaultChannel: channelOf(o.routing, o.routing.defaultChannel),
    ...(o.extraAlerts ? { extraAlerts: o.extraAlerts } : {}),
    ...(o.batchScope ? { batchScope: o.batchScope } : {}),
    // Each partition waits on Redis round trips one at a time; eight of them side by side keep a
    // page from costing the sum (bench/scenarios/pipeline.ts).
    ...(o.partitionOf ? { partitionOf: o.partitionOf, concurrency: SINK_CONCURRENCY } : {}),
    ...(o.prefetch ? { prefetch: o.prefetch } : {}),
    noise: createNoiseGate({
      redis: o.redis,
      prefix: o.prefix,
      policy: toNoisePolicy(o.routing),
      title: (a) =>
        a.record
          ? recordMessage(a.record, {
              at: new Date(a.createdAt),
              prefix: a.kind === "record.new" ? "New" : "Updated",
            }).text
          : a.recordKey,
    }),
  });
  o.infor.onSourceWarning((w) => {
    const alert = createAlert({
      kind: "ops",
      tenant: w.tenant,
      entity: "m3_table",
      recordKey: `m3-access:${w.company}:${w.table}`,
      contentVersion: `${w.code}:${w.columns.join(",")}`,
      channel: opsChannel,
      ops: { code: w.code, message: w.message },
      createdAt: new Date(),
    });
    o.delivery.enqueue(alert).catch((err: unknown) => {
      o.logger.error(
        { code: w.code, table: w.table, err: (err as Error).message },
        "ops notice about M3 access failed",
      );
    });
  });
  const deps: SyncDeps = {
    redis: o.redis,
    prefix: o.prefix,
    sourceFactory: (scope) => o.infor.sourceFor(scope),
    sink,
    route: routeFnFor(o.routing),
    reference,
    supplierNames: supplierNameResolver({
      reference,
      fetch: async (scope, id) => (await o.infor.sourceFor(scope).getSupplier(id)).records[0],
      logger: o.logger.child({ component: "sync" }),
    }),
    logger: o.logger.child({ component: "sync" }),
    ...(o.lockTtlMs ? { lockTtlMs: o.lockTtlMs } : {}),
  };
  return {
    deps,
    schedules: schedulesFromRouting(o.routing, { pageSize: o.pageSize ?? 200 }),
    queue: createSyncQueue(o.bullConnection, { bullPrefix }),
    bullPrefix,
  };
}

/** Scheduler role: make the job schedulers match routing.yml (idempotent across replicas). */
export async function upsertSchedules(side: SyncSide, logger: Logger): Promise<void> {
  const result = await applySchedules(side.queue, side.schedules);
  logger.info(
    { upserted: result.upserted.length, removed: result.removed.length },
    "poll schedules applied",
  );
}

/** Worker role: run the polls. */
export function startSyncWorker(side: SyncSide, connection: RedisClient): SyncWorker {
  return createSyncWorker({
    ...side.deps,
    connection,
    bullPrefix: side.bullPrefix,
  });
}
