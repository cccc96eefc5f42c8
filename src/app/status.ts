import type { Queue } from "bullmq";
import type { Delivery } from "../delivery/delivery.ts";
import type { InforClient } from "../infor/create-client.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type { StatusProvider, StatusReport } from "../slack/lookup-service.ts";
import { getSyncStatus } from "../sync/sync-status.ts";

/**
 * `/infor status`: one line per polled key from the sync status, the delivery queue and dead
 * letters, unrouted records, and the ION token: the soonest expiry of the tenants' tokens (this
 * process's; "–" before its first sign-in), and grant counts in the notes.
 */
export function statusProvider(o: {
  redis: RedisClient;
  prefix: string;
  syncQueue: Queue;
  delivery: Delivery;
  clients: Map<string, InforClient>;
}): StatusProvider {
  return async () => {
    const [keys, stats] = await Promise.all([
      getSyncStatus({ redis: o.redis, prefix: o.prefix, queue: o.syncQueue }),
      o.delivery.stats(),
    ]);
    const entities: StatusReport["entities"] = keys.map((k) => ({
      entity: `${k.key.entity} ${k.key.company}${k.key.division ? `/${k.key.division}` : ""}`,
      ...(k.lastPollAt ? { lastPollAt: k.lastPollAt } : {}),
      ...(k.nextPollAt ? { nextPollAt: k.nextPollAt } : {}),
      ...(k.lagMs !== undefined ? { lagSeconds: Math.round(k.lagMs / 1000) } : {}),
      ok: k.consecutiveFailures === 0,
      ...(k.consecutiveFailures > 0 && (k.lastErrorMessage || k.lastError)
        ? { error: k.lastErrorMessage || (k.lastError as string) }
        : {}),
    }));
    const unrouted = keys.reduce((n, k) => n + k.totals.unrouted, 0);
    const notes: string[] = [];
    for (const [tenant, c] of o.clients) {
      const s = c.tokens.stats;
      notes.push(
        `ION ${tenant}: ${s.signIns} token grant(s), ${s.refreshes} by refresh${s.rejected ? `, ${s.rejected} refused` : ""}`,
      );
    }
    if (stats.rateLimited > 0) notes.push(`Slack 429s so far: ${stats.rateLimited}`);
    const expiries = [...o.clients.values()].flatMap((c) => c.tokens.expiresAt ?? []);
    const soonest = expiries.sort((a, b) => a.getTime() - b.getTime())[0];
    return {
      ...(soonest ? { tokenExpiresAt: soonest.toISOString() } : {}),
      entities,
      queueDepth: stats.waiting + stats.delayed + stats.active,
      deadLetters: stats.deadLetters,
      unrouted,
      notes,
    };
  };
}
