import { type Alert, createAlert, hashParts, parseAlert } from "../alerts/alert.ts";
import { countOnce } from "../shared/count-once.ts";
import { type DeliveryContext, jobIdFor } from "./context.ts";
import { promoteToFront } from "./line.ts";
import { PROMOTE_CODE } from "./scripts.ts";

/** Alerts that may be rolled into a digest: plain news, not decisions or edits of a message. */
export function digestible(a: Alert): boolean {
  return (a.kind === "record.new" || a.kind === "exception.opened") && !a.needsDecision && !a.reply;
}

function buildDigest(
  ctx: DeliveryContext,
  members: Alert[],
  reason: "flood" | "quiet_hours",
  channel: string,
): Alert {
  const ids = members.map((m) => m.id).sort();
  const first = members[0];
  return createAlert({
    kind: "digest",
    channel,
    tenant: first?.tenant ?? "-",
    entity: "digest",
    recordKey: `digest:${channel}`,
    contentVersion: hashParts(ids),
    createdAt: new Date(ctx.clock()),
    digest: {
      of: first?.kind ?? "record.new",
      reason,
      items: members.map((m) => ctx.route(channel).destination.digestItem(m)),
    },
  });
}

/** Mark members as rolled into `digest` (first claim wins) and take them out of the channel line. */
async function claim(ctx: DeliveryContext, digest: Alert, members: Alert[]): Promise<void> {
  const m = ctx.redis.multi();
  for (const a of members) {
    m.set(ctx.keys.digested(a.id), digest.id, "PX", ctx.config.markerTtlMs, "NX");
    m.zrem(ctx.keys.order(a.channel), a.id);
    m.zrem(ctx.keys.pending, a.id);
  }
  await m.exec();
  // Outside the MULTI: a transaction the client re-sends after a reconnect would count twice.
  await countOnce(ctx.redis, ctx.keys.stats, "digested", members.length);
  // Their jobs sleep behind the head until promoted (line.ts waitForTurn): wake them now, so
  // each finds its digest and finishes instead of lingering in the queue for its fallback.
  await Promise.all(
    members.map((a) => promoteToFront(ctx, jobIdFor(a.id)).catch(() => PROMOTE_CODE.neither)),
  );
  for (const a of members) {
    await ctx.audit.append({
      type: "digest",
      alertId: a.id,
      recordKey: a.recordKey,
      channel: a.channel,
      data: { digestId: digest.id },
    });
  }
}

/** Whether `maybeFloodDigest` could roll anything up for this alert (without a Redis read). */
export function mayFloodDigest(ctx: DeliveryContext, head: Alert): boolean {
  return (
    ctx.config.digests.enabled && ctx.route(head.channel).destination.digests && digestible(head)
  );
}

/**
 * Flood: the channel's line would take longer than the threshold to drain at its pace, so the
 * head rolls pending alerts of its own kind into one digest, which takes its place in line.
 * Returns the digest when one was made.
 */
export async function maybeFloodDigest(
  ctx: DeliveryContext,
  head: Alert,
): Promise<Alert | undefined> {
  const d = ctx.config.digests;
  const route = ctx.route(head.channel);
  if (!mayFloodDigest(ctx, head)) return undefined;
  // Only the head of the line may roll it up: nobody else in the channel is posting then, so no
  // alert can be both in a digest and on its way on its own.
  if ((await ctx.redis.zrank(ctx.keys.order(head.channel), head.id)) !== 0) return undefined;
  const backlog = await route.pacer.backlog(head.channel);
  if (backlog * route.pace.channelIntervalMs <= d.drainThresholdMs) return undefined;
  const ids = await ctx.redis.zrange(ctx.keys.order(head.channel), "0", String(d.maxItems - 1));
  const members: Alert[] = [];
  for (const id of ids) {
    const alert = id === head.id ? head : await pendingAlert(ctx, id);
    if (!alert || alert.kind !== head.kind || !digestible(alert)) continue;
    if (await ctx.markers.subjectTs(alert.channel, alert.subject)) continue;
    members.push(alert);
  }
  if (members.length < 2 || !members.some((m) => m.id === head.id)) return undefined;
  const digest = buildDigest(ctx, members, "flood", head.channel);
  // The digest takes the head's place in line before the members leave it.
  const score = await ctx.redis.zscore(ctx.keys.order(head.channel), head.id);
  await ctx.audit.storeAlert(digest, { members: members.length });
  if (score !== null) await ctx.redis.zadd(ctx.keys.order(head.channel), score, digest.id);
  await ctx.enqueue(digest);
  await claim(ctx, digest, members);
  return digest;
}

async function pendingAlert(ctx: DeliveryContext, alertId: string): Promise<Alert | undefined> {
  const job = await ctx.queue.getJob(jobIdFor(alertId));
  const raw = (job?.data as { alert?: unknown } | undefined)?.alert;
  if (!raw) return undefined;
  try {
    return parseAlert(raw);
  } catch {
    return undefined;
  }
}

/** Quiet hours ended: everything held for the channel goes out as one digest (per kind). */
export async function releaseHeld(ctx: DeliveryContext, channel: string): Promise<Alert[]> {
  const ids = await ctx.redis.smembers(ctx.keys.held(channel));
  if (ids.length === 0) return [];
  const held: Alert[] = [];
  for (const id of ids) {
    const [stored] = await ctx.audit.storedAlerts({ alertId: id });
    if (stored && !(await ctx.redis.exists(ctx.keys.digested(id)))) held.push(stored);
  }
  const byKind = new Map<string, Alert[]>();
  for (const a of held.sort((x, y) => (x.createdAt < y.createdAt ? -1 : 1))) {
    byKind.set(a.kind, [...(byKind.get(a.kind) ?? []), a]);
  }
  const out: Alert[] = [];
  const digests = ctx.route(channel).destination.digests;
  for (const members of byKind.values()) {
    if (members.length > 1 && digests) {
      const digest = buildDigest(ctx, members, "quiet_hours", channel);
      await ctx.audit.storeAlert(digest, { members: members.length });
      await ctx.enqueue(digest);
      await claim(ctx, digest, members);
      out.push(digest);
      continue;
    }
    // One alert, or a destination without digests: each goes out on its own.
    for (const alert of members) {
      await ctx.redis.del(ctx.keys.digested(alert.id));
      await ctx.enqueue(alert);
      out.push(alert);
    }
  }
  await ctx.redis.srem(ctx.keys.held(channel), ...ids);
  return out;
}
