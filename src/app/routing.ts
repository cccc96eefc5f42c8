import { toRoutingPolicy } from "../config/policies.ts";
import { durationMs, type RoutingConfig } from "../config/routing-schema.ts";
import type { DeliveryConfigInput, QuietHours } from "../delivery/config.ts";
import type { Entity } from "../infor/records.ts";
import { routeRecord } from "../rules/routing.ts";
import { documentLink, type LinkTemplates } from "../slack/blocks/format.ts";
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
      ...(route.note ? { note: route.note } : {}),
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
  const workspace = routing.delivery.workspacePostsPerSecond;
  const methodBurst = routing.delivery.methodBurst;
  const grace = routing.delivery.lateLandingGrace;
  const check = routing.delivery.duplicateCheckAfter;
  return {
    opsChannel: channelOf(routing, routing.opsChannel),
    quietHours,
    ...(workspace ? { workspacePerSecond: workspace } : {}),
    ...(methodBurst !== undefined ? { methodBurst } : {}),
    ...(grace ? { ambiguousGraceMs: durationMs(grace) } : {}),
    ...(check ? { duplicateSweepAfterMs: durationMs(check) } : {}),
    ...base,
    ...(digestAfter
      ? { digests: { ...(base.digests ?? {}), drainThresholdMs: durationMs(digestAfter) } }
      : {}),
  };
}

/** Every tenant's record links: a record is linked through its own tenant's templates only. */
export function linksFor(routing: RoutingConfig): LinkTemplates {
  return {
    byTenant: Object.fromEntries(
      routing.tenants.map((t) => [t.id, t.links as Partial<Record<Entity, string>>]),
    ),
  };
}

/**
 * `/infor` answers link to the ERP like the alerts do: the record key's parts fill the tenant's
 * templates (`entity:tenant:company:division:id`, the id may itself hold colons).
 */
export function recordUrlFor(routing: RoutingConfig): (recordKey: string) => string | undefined {
  const links = linksFor(routing);
  return (recordKey) => {
    const parts = recordKey.split(":");
    if (parts.length < 5) return undefined;
    const [entity, tenant, company, division] = parts as [string, string, string, string];
    const id = parts.slice(4).join(":");
    return documentLink({ entity: entity as Entity, tenant, company, division, id }, links);
  };
}
