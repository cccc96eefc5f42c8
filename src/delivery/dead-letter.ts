import { randomBytes } from "node:crypto";
import { type Alert, createAlert } from "../alerts/alert.ts";
import { countOnce } from "../shared/count-once.ts";
import type { DeliveryContext } from "./context.ts";
import { promoteNext } from "./line.ts";

/**
 * Park an alert that retrying cannot deliver, with its reason, and raise one ops alert per
 * reason per burst window (SET NX PX), not one per message.
 */
export async function deadLetter(
  ctx: DeliveryContext,
  alert: Alert,
  reason: string,
  orderMember = alert.id,
): Promise<void> {
  const { redis, keys } = ctx;
  const now = ctx.clock();
  await redis
    .multi()
    .zadd(keys.dead, now, alert.id)
    .hset(
      keys.deadInfo(alert.id),
      "reason",
      reason,
      "channel",
      alert.channel,
      "at",
      new Date(now).toISOString(),
    )
    .zrem(keys.order(alert.channel), orderMember)
    .zrem(keys.pending, alert.id)
    .exec();
  // Outside the MULTI: a transaction the client re-sends after a reconnect would count twice.
  await countOnce(redis, keys.stats, "dead_letters");
  // The alerts behind it sleep until the alert ahead promotes them (line.ts waitForTurn).
  await promoteNext(ctx, alert.channel);
  await ctx.audit.append({
    type: "dead_letter",
    alertId: alert.id,
    recordKey: alert.recordKey,
    channel: alert.channel,
    data: { reason },
  });
  ctx.logger.warn({ alertId: alert.id, channel: alert.channel, reason }, "delivery: dead letter");
  const ops = ctx.config.opsChannel;
  if (!ops || alert.kind === "ops") return;
  const window = ctx.config.opsBurstWindowMs;
  const burstKey = keys.opsBurst(reason);
  // The first dead letter of a burst posts the ops alert. Its own token tells a SET NX that
  // ioredis re-sent after a reconnect (the first one had set the key) from another writer's.
  const token = `${now}:${randomBytes(6).toString("hex")}`;
  const set = await redis.set(burstKey, token, "PX", window, "NX");
  const first = set === "OK" || (await redis.get(burstKey)) === token;
  await countOnce(redis, `${burstKey}:count`, String(Math.floor(now / window)));
  if (!first) return;
  const opsAlert = createAlert({
    kind: "ops",
    channel: ops,
    tenant: alert.tenant,
    entity: "ops",
    recordKey: `ops:${reason}`,
    contentVersion: String(now),
    createdAt: new Date(now),
    ops: {
      code: reason,
      message: `Alerts for channel ${alert.channel} could not be delivered (${reason}). Further failures with this reason in the next ${Math.round(window / 60000)} min are not announced again. Fix the cause, then run \`cloudsuite-slack replay --dead-letters\`.`,
      count: 1,
      examples: [`${alert.kind} ${alert.recordKey}`],
    },
  });
  await ctx.enqueue(opsAlert);
}
