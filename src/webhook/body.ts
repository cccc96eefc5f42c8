import type { Alert } from "../alerts/alert.ts";

/**
 * The JSON a webhook receives for one alert (docs/webhooks.md). Destination-neutral fields only:
 * no Block Kit, no Slack ids. Amounts stay decimal strings with their currency (never floats).
 * `id` is also the Idempotency-Key header: the same on every attempt and every replay.
 */
export interface WebhookBody {
  version: 1;
  id: string;
  /** The alert of the route's own channel this one mirrors (correlates with the audit log). */
  sourceAlertId?: string;
  kind: Alert["kind"];
  tenant: string;
  entity: string;
  recordKey: string;
  contentVersion: string;
  /** Alerts about one record (or one exception on it) share a subject: later ones supersede. */
  subject: string;
  costCenter?: string;
  createdAt: string;
  record?: Alert["record"];
  changes?: Alert["changes"];
  exception?: Alert["exception"];
  link?: string;
  routeNote?: string;
}

export function webhookBody(a: Alert): WebhookBody {
  return {
    version: 1,
    id: a.id,
    ...(a.mirrorOf ? { sourceAlertId: a.mirrorOf } : {}),
    kind: a.kind,
    tenant: a.tenant,
    entity: a.entity,
    recordKey: a.recordKey,
    contentVersion: a.contentVersion,
    subject: a.subject,
    ...(a.costCenter ? { costCenter: a.costCenter } : {}),
    createdAt: a.createdAt,
    ...(a.record ? { record: a.record } : {}),
    ...(a.changes ? { changes: a.changes } : {}),
    ...(a.exception ? { exception: a.exception } : {}),
    ...(a.link ? { link: a.link } : {}),
    ...(a.routeNote ? { routeNote: a.routeNote } : {}),
  };
}
