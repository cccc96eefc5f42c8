import type { Queue } from "bullmq";
import { type Alert, editsInPlace } from "../alerts/alert.ts";
import type { PreparedAuditEntry } from "../audit/log.ts";
import type { ScriptArg } from "../shared/lua-script.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import { jobIdFor } from "./context.ts";
import type { DeliveryKeys } from "./keys.ts";
import { ADMIT_CODE, enqueueAlertScript, enqueueAlertsScript } from "./scripts.ts";

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

/** One alert of `admitMany`: what `admit` takes for it. */
export interface AdmitItem {
  alert: Alert;
  edits: boolean;
  stored?: PreparedAuditEntry;
}

/**
 * `admit` for several alerts in one round trip (enqueue-alerts.lua), in order: each alert's
 * audit entry and registration are what `admit` does for it alone, so the alerts take their
 * places in their channels' lines in the order given.
 */
export async function admitMany(
  redis: RedisClient,
  keys: DeliveryKeys,
  queue: Queue,
  items: readonly AdmitItem[],
  now: number,
): Promise<Admission[]> {
  if (items.length === 0) return [];
  const tailKeys: string[] = [];
  const tailArgs: ScriptArg[] = [];
  for (const { alert, edits, stored } of items) {
    tailKeys.push(
      keys.delivered(alert.id),
      keys.subject(alert.channel, alert.subject),
      keys.order(alert.channel),
      keys.edits(alert.channel),
      keys.seq(alert.channel),
      keys.pending,
      keys.stats,
      queue.toKey(jobIdFor(alert.id)),
      ...(stored?.keys ?? []),
    );
    tailArgs.push(
      alert.id,
      edits && editsInPlace(alert) ? "1" : "0",
      stored?.keys.length ?? 0,
      stored?.args.length ?? 0,
      ...(stored?.args ?? []),
    );
  }
  const results = await enqueueAlertsScript.run(redis, {
    keys: {},
    args: { now, count: items.length },
    tail: { keys: tailKeys, args: tailArgs },
  });
  return results.map((r) =>
    r.status === ADMIT_CODE.delivered
      ? { status: "delivered" }
      : { status: "registered", rank: r.rank, edit: r.edit, jobExists: r.jobExists },
  );
}
