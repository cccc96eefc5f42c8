import { toRoutingPolicy } from "../config/policies.ts";
import { durationMs, type RoutingConfig } from "../config/routing-schema.ts";
import type { DeliveryConfigInput, QuietHours } from "../delivery/config.ts";
import type { Entity } from "../infor/records.ts";
import { routeRecord } from "../rules/routing.ts";
import type { LinkTemplates } from "../slack/blocks/format.ts";
import type { RouteFn } from "../sync/sink.ts";

/** Channel id for an alias of routing.yml (ids pass through). */
export function channelOf(routing: RoutingConfig, alias: string): string {
  return routing.channels[alias] ?? alias;
}

/** record → cost center → channel, as the sync engine asks it. */
export function routeFnFor(routing: RoutingConfig): RouteFn {
  const policy = toRoutingPolicy(routing);
  return (record) => {
    const route = routeRecord(policy, record);
    return {
      channel: route.channel,
      fallback: route.fallback,
      ...(route.costCenter ? { costCenter: route.costCenter } : {}),
    };
  };
}

/** routing.yml's delivery-related keys in delivery's terms (channel ids, milliseconds). */
export function deliveryConfigFor(
  routing: RoutingConfig,
  base: DeliveryConfigInput = {},
): DeliveryConfigInput {
  const quietHours: Record<string, QuietHours> = {};
  for (const [alias, q] of Object.entries(routing.quietHours)) {
    quietHours[channelOf(routing, alias)] = {
      start: q.from,
      end: q.to,
      timeZone: q.timeZone ?? routing.timeZone,
    };
  }
  const digestAfter = routing.delivery.digestAfter;
  return {
    opsChannel: channelOf(routing, routing.opsChannel),
    quietHours,
    ...base,
    ...(digestAfter
      ? { digests: { ...(base.digests ?? {}), drainThresholdMs: durationMs(digestAfter) } }
      : {}),
  };
}

/**
 * Record links of the first tenant (delivery renders one template set). With several tenants,
 * the templates' {tenant} placeholder keeps links right when the portals share a pattern.
 */
export function linksFor(routing: RoutingConfig): LinkTemplates {
  const links = routing.tenants[0]?.links ?? {};
  return links as Partial<Record<Entity, string>>;
}
