import type { Queue } from "bullmq";
import type { Logger } from "pino";
import type { Alert } from "../alerts/alert.ts";
import type { DecisionSource } from "../approvals/decisions.ts";
import type { AuditLog } from "../audit/log.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type { DeliveryConfig, PaceSettings } from "./config.ts";
import type { Destination } from "./destination.ts";
import type { DeliveryKeys } from "./keys.ts";
import type { Markers } from "./markers.ts";
import type { Pacer } from "./pacer.ts";

/** Everything the job processor needs, injected (no module state). */
export interface DeliveryContext {
  redis: RedisClient;
  queue: Queue;
  keys: DeliveryKeys;
  markers: Markers;
  audit: AuditLog;
  /** The destination that owns a target (alert.channel) and the pacer of its limits. */
  route: (target: string) => Route;
  logger: Logger;
  clock: () => number;
  config: DeliveryConfig;
  /** The approvals side, so an edit keeps a decision stamp or pending buttons (decisions.ts). */
  decisions: DecisionSource | undefined;
  /** Enqueue through the normal path (store, register, queue). */
  enqueue: (alert: Alert) => Promise<void>;
}

export interface Route {
  destination: Destination;
  pacer: Pacer;
  pace: PaceSettings;
}

export const POST_JOB = "post";
export const QUIET_END_JOB = "quiet-end";

/** BullMQ rejects integer-looking custom ids; ours are prefixed. */
export function jobIdFor(alertId: string): string {
  return `a-${alertId}`;
}

export interface PostJobData {
  alert: Alert;
}

export interface QuietEndJobData {
  channel: string;
}
