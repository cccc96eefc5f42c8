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
  /**
   * Later checks (sweep.ts), in a queue of their own: they are not alerts, so the delivery
   * queue's depth (stats, "drained") never counts them.
   */
  checks: Queue;
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
/** The later check for a second copy of a post that followed a negative look-up (sweep.ts). */
export const SWEEP_JOB = "duplicate-sweep";

/** BullMQ rejects integer-looking custom ids; ours are prefixed. */
export function jobIdFor(alertId: string): string {
  return `a-${alertId}`;
}

export interface PostJobData {
  alert: Alert;
  /**
   * Set when a look-up for a lost attempt found nothing: the post that follows, in this run or a
   * later one (the pacer may delay it), is checked again later (sweep.ts).
   */
  missed?: MissedLook;
}

export interface MissedLook {
  /** epoch ms: copies are looked for from here */
  since: number;
  threadTs?: string;
}

export interface SweepJobData {
  channel: string;
  alertId: string;
  /** epoch ms: copies are looked for from here (the lost attempt's start, less the margin) */
  since: number;
  /** the message the post made (kept unless the delivered marker names another) */
  ref: string;
  threadRef?: string;
}

export interface QuietEndJobData {
  channel: string;
}
