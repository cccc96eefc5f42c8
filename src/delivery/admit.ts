import type { Queue } from "bullmq";
import { type Alert, editsInPlace } from "../alerts/alert.ts";
import type { PreparedAuditEntry } from "../audit/log.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import { jobIdFor } from "./context.ts";
import type { DeliveryKeys } from "./keys.ts";
import { ADMIT_CODE, enqueueAlertScript } from "./scripts.ts";

export type Admission =
  | { status: "delivered" }
  | { status: "registered"; rank: number; edit: boolean; jobExists: boolean };

/**
 * One round trip (enqueue-alert.lua): store the alert's audit entry when one is given, then,
 * unless it is already in Slack, register it in its channel's line (the edit line when it edits
 * a message already posted and the destination edits) and as pending, and say whether its job
 * still exists.
 */
export async function admit(
  redis: RedisClient,
  keys: DeliveryKeys,
  queue: Queue,
  alert: Alert,
  o: { now: number; edits: boolean; stored?: PreparedAuditEntry },
): Promise<Admission> {
  const r = await enqueueAlertScript.run(redis, {
    keys: {
      delivered: keys.delivered(alert.id),
      subject: keys.subject(alert.channel, alert.subject),
      order: keys.order(alert.channel),
      edits: keys.edits(alert.channel),
      seq: keys.seq(alert.channel),
      pending: keys.pending,
      stats: keys.stats,
      job: queue.toKey(jobIdFor(alert.id)),
    },
    args: {
      alertId: alert.id,
      editsInPlace: o.edits && editsInPlace(alert) ? "1" : "0",
      now: o.now,
      store: o.stored ? "1" : "0",
    },
    ...(o.stored ? { tail: { keys: o.stored.keys, args: o.stored.args } } : {}),
  });
  if (r.status === ADMIT_CODE.delivered) return { status: "delivered" };
  return { status: "registered", rank: r.rank, edit: r.edit, jobExists: r.jobExists };
}
