import { randomBytes } from "node:crypto";
import { type Alert, createAlert, type DigestItem, hashParts } from "../alerts/alert.ts";
import { type NoisePolicy, noiseModeFor } from "../config/noise-policy.ts";
import type { NoiseMode } from "../config/routing-schema.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import { lockReleaseScript } from "./scripts.ts";

/**
 * routing.yml `noise` applied to record alerts before they are queued. Exceptions, anything that
 * waits for a decision, digests and ops notices pass untouched. A record alert in an
 * `exceptions-only` channel is not posted (audited as skipped); in a `digest` channel it joins
 * the channel's summary for the current period, and the summary's new version is queued: delivery
 * posts the first version and edits that message for every later one (same subject).
 */
export type NoiseOutcome =
  | { action: "post" }
  | { action: "suppress"; mode: NoiseMode; summarizedIn?: string }
  | { action: "digest"; summary: Alert };

export interface NoiseGate {
  /**
   * Decides for one alert; for a digest, `enqueue` is called with the summary's new version
   * while the period's lock is held, so versions reach the channel's line in the order of
   * their content (a later version never carries fewer lines).
   */
  pass(alert: Alert, enqueue: (a: Alert) => Promise<void>): Promise<NoiseOutcome>;
  /**
   * What `pass` will do, known without I/O: "post" and "suppress" are its answer; "digest" needs
   * `pass` (a period summary, which it may enqueue). For callers that queue posts in groups.
   */
  mode?(alert: Alert): "post" | "suppress" | "digest";
}

export interface NoiseGateOptions {
  redis: RedisClient;
  prefix: string;
  policy: NoisePolicy;
  clock?: () => Date;
  /** Lines shown per summary; beyond it the message stops growing (the audit log has all). Default 500. */
  maxItems?: number;
  /** How long a writer waits for the period's lock before giving up (then posts as is). */
  lockWaitMs?: number;
  /**
   * A summary line's text for a record alert ("New: Invoice 7 from Acme: 1,234.50 EUR"), from
   * the destination's renderer (Slack: its record message's notification text).
   */
  title: (alert: Alert) => string;
}

const LOCK_TTL_MS = 10_000;
const DAY_MS = 86_400_000;
/** Longer than any re-read of the same record version (overlap windows are days at most). */
const SEEN_TTL_MS = 30 * DAY_MS;

/** A record alert that may be quieted: news about a record, nobody asked to decide. */
export function quietable(a: Alert): boolean {
  return (a.kind === "record.new" || a.kind === "record.updated") && !a.needsDecision;
}

export function periodOf(atMs: number, periodMs: number): { start: Date; end: Date } {
  const start = Math.floor(atMs / periodMs) * periodMs;
  return { start: new Date(start), end: new Date(start + periodMs) };
}

function itemOf(a: Alert, title: string): DigestItem & { at: string } {
  const r = a.record;
  const amount =
    r?.entity === "supplier_invoice" || r?.entity === "purchase_order"
      ? r.total
      : r?.entity === "payment"
        ? r.amount
        : undefined;
  return {
    alertId: a.id,
    recordKey: a.recordKey,
    title,
    ...(amount ? { amount } : {}),
    at: a.createdAt,
  };
}

/**
 * SET NX the lock with this writer's token, retrying for up to `waitMs`; the token, or undefined
 * when another writer kept it. ioredis sends a command again after a reconnect when the reply was
 * lost: a SET NX that had taken the lock then answers "not set", and the token says it is ours.
 */
export async function takeLock(
  redis: RedisClient,
  key: string,
  token: string,
  ttlMs: number,
  waitMs: number,
): Promise<string | undefined> {
  const until = Date.now() + waitMs;
  do {
    if ((await redis.set(key, token, "PX", ttlMs, "NX")) === "OK") return token;
    if ((await redis.get(key)) === token) return token;
    await new Promise((r) => setTimeout(r, 25));
  } while (Date.now() < until);
  return undefined;
}

export function createNoiseGate(o: NoiseGateOptions): NoiseGate {
  const clock = o.clock ?? (() => new Date());
  const maxItems = o.maxItems ?? 500;
  const lockWaitMs = o.lockWaitMs ?? 15_000;

  const lock = (key: string) =>
    takeLock(o.redis, key, randomBytes(8).toString("hex"), LOCK_TTL_MS, lockWaitMs);

  return {
    mode(alert) {
      if (!quietable(alert)) return "post";
      const mode = noiseModeFor(o.policy, alert.channel, alert.record?.entity ?? alert.entity);
      return mode === "all" ? "post" : mode === "exceptions-only" ? "suppress" : "digest";
    },

    async pass(alert, enqueue) {
      if (!quietable(alert)) return { action: "post" };
      const entity = alert.record?.entity ?? alert.entity;
      const mode = noiseModeFor(o.policy, alert.channel, entity);
      if (mode === "all") return { action: "post" };
      if (mode === "exceptions-only") return { action: "suppress", mode };

      // The same record version read again in a later period (poll overlap, a push and then the
      // poll) is already in a summary: a second line in the next period's would be a duplicate.
      const seenKey = `${o.prefix}noise:seen:${alert.channel}:${alert.id}`;
      const seenIn = await o.redis.get(seenKey);
      if (seenIn !== null) return { action: "suppress", mode: "digest", summarizedIn: seenIn };

      const { start, end } = periodOf(clock().getTime(), o.policy.digestEveryMs);
      // Hash-tagged by channel and period so the lock and the items share a cluster slot.
      const base = `${o.prefix}noise:{${alert.channel}:${start.getTime()}}`;
      const itemsKey = `${base}:items`;
      const lockKey = `${base}:lock`;
      const token = await lock(lockKey);
      // A lock we cannot get (a writer stuck past its TTL is already released): post the record
      // on its own rather than lose it.
      if (!token) return { action: "post" };
      try {
        const ttlMs = o.policy.digestEveryMs + DAY_MS;
        const stored = await o.redis
          .multi()
          .hsetnx(itemsKey, alert.id, JSON.stringify(itemOf(alert, o.title(alert))))
          .pexpire(itemsKey, ttlMs)
          .hgetall(itemsKey)
          .exec();
        const all = Object.values((stored?.[2]?.[1] ?? {}) as Record<string, string>)
          .map((v) => JSON.parse(v) as DigestItem & { at: string })
          .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.alertId < b.alertId ? -1 : 1));
        const items = all.slice(0, maxItems).map(({ at: _at, ...item }) => item);
        const summary = createAlert({
          kind: "digest",
          channel: alert.channel,
          tenant: alert.tenant,
          entity: "digest",
          recordKey: `summary:${alert.channel}:${start.toISOString()}`,
          // One version per set of lines: a record read again adds nothing and re-queues the same
          // alert id, which delivery drops.
          contentVersion: hashParts(all.map((i) => i.alertId).sort()),
          digest: {
            of: "record.new",
            reason: "period",
            items,
            period: { start: start.toISOString(), end: end.toISOString() },
          },
          createdAt: clock(),
        });
        await enqueue(summary);
        // Remembered after the summary is durable: a crash in between re-adds the line in this
        // period's summary (same hash field, no change), never loses it.
        await o.redis.set(seenKey, summary.recordKey, "PX", SEEN_TTL_MS);
        return { action: "digest", summary };
      } finally {
        // The poll lock's release script: deletes the key only while this writer owns it.
        await lockReleaseScript.run(o.redis, { keys: { lock: lockKey }, args: { token } });
      }
    },
  };
}
