import type { Alert } from "../alerts/alert.ts";
import type { RoutingConfig } from "../config/routing-schema.ts";
import type { Destination } from "../delivery/destination.ts";
import { webhookDestination, webhookTarget } from "../webhook/destination.ts";
import { channelOf } from "./routing.ts";

export interface WebhookRoutes {
  destinations: Destination[];
  /** The webhook targets an alert of a channel also goes to. */
  mirrors: (alert: Alert) => readonly string[];
}

/**
 * routing.yml `webhooks` as delivery destinations, each signed with its secret from
 * WEBHOOK_SECRETS. A webhook without a secret, or naming a channel alias routing.yml does not
 * have, stops start-up with a message naming it (the secret itself is never shown).
 */
export function webhookRoutes(
  routing: RoutingConfig,
  secrets: Readonly<Record<string, string>>,
): WebhookRoutes {
  const destinations: Destination[] = [];
  const byChannel = new Map<string, string[]>();
  for (const [name, w] of Object.entries(routing.webhooks)) {
    const secret = secrets[name];
    if (!secret) {
      throw new Error(`routing.yml webhooks.${name}: no secret for "${name}" in WEBHOOK_SECRETS`);
    }
    for (const alias of w.channels) {
      if (!(alias in routing.channels)) {
        throw new Error(`routing.yml webhooks.${name}.channels: "${alias}" is not in channels`);
      }
      const id = channelOf(routing, alias);
      byChannel.set(id, [...(byChannel.get(id) ?? []), webhookTarget(name)]);
    }
    destinations.push(
      webhookDestination({
        name,
        url: w.url,
        secret,
        lookupUrl: w.lookupUrl,
        perSecond: w.perSecond,
        timeoutMs: w.timeoutSeconds * 1000,
      }),
    );
  }
  return { destinations, mirrors: (alert) => byChannel.get(alert.channel) ?? [] };
}
