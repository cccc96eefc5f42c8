import { hashParts } from "../../src/alerts/alert.ts";

/**
 * The webhook side of the chaos ledger: every alert the app stored for a run invoice in a channel
 * routing.yml mirrors to the webhook must reach the sandbox receiver exactly once. The receiver
 * records every verified request, repeats included (it does not hide a second send behind its
 * own de-duplication), so a duplicate here is a second delivery the engine made.
 */
export interface WebhookSource {
  /** The Slack alert's id (the webhook alert mirrors it). */
  alertId: string;
  kind: string;
  channel: string;
  invoice: string;
}

export interface WebhookReceipt {
  /** Idempotency-Key (= body id) */
  id: string;
  sourceAlertId?: string | undefined;
  /** the body as received, to tell the run's deliveries from the simulator's seeded history */
  text: string;
}

export interface WebhookKindCounts {
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
}

export interface WebhookCounts {
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** receipts naming a run invoice that no stored alert of a mirrored channel explains */
  unexpected: number;
  /** deliveries whose body says another source alert than the one its id mirrors */
  mismatched: number;
  /** requests the receiver refused for a bad signature */
  refused: number;
  perKind: Record<string, WebhookKindCounts>;
  lostIds: string[];
  duplicatedIds: string[];
}

/** The webhook alert's id for a source alert (src/alerts mirrorAlert, computed independently). */
export function mirrorIdOf(sourceAlertId: string, target: string): string {
  return hashParts([sourceAlertId, "mirror", target]);
}

export function compareWebhook(o: {
  tag: string;
  target: string;
  mirroredChannels: ReadonlySet<string>;
  sources: readonly WebhookSource[];
  receipts: readonly WebhookReceipt[];
  refused: number;
}): WebhookCounts {
  const count = new Map<string, WebhookReceipt[]>();
  for (const r of o.receipts) count.set(r.id, [...(count.get(r.id) ?? []), r]);
  const c: WebhookCounts = {
    expected: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    unexpected: 0,
    mismatched: 0,
    refused: o.refused,
    perKind: {},
    lostIds: [],
    duplicatedIds: [],
  };
  const expectedIds = new Set<string>();
  for (const s of o.sources) {
    if (!o.mirroredChannels.has(s.channel)) continue;
    const id = mirrorIdOf(s.alertId, o.target);
    if (expectedIds.has(id)) continue;
    expectedIds.add(id);
    const k = c.perKind[s.kind] ?? { expected: 0, delivered: 0, lost: 0, duplicated: 0 };
    c.perKind[s.kind] = k;
    c.expected++;
    k.expected++;
    const got = count.get(id) ?? [];
    if (got.length === 0) {
      c.lost++;
      k.lost++;
      c.lostIds.push(`${s.invoice} ${s.kind}`);
      continue;
    }
    c.delivered++;
    k.delivered++;
    if (got.length > 1) {
      c.duplicated += got.length - 1;
      k.duplicated += got.length - 1;
      c.duplicatedIds.push(`${s.invoice} ${s.kind} ×${got.length}`);
    }
    if (got.some((r) => r.sourceAlertId !== s.alertId)) c.mismatched++;
  }
  const runInvoice = new RegExp(`${o.tag}-\\d+(?!\\d)`);
  for (const [id, got] of count) {
    if (!expectedIds.has(id) && got.some((r) => runInvoice.test(r.text))) c.unexpected++;
  }
  return c;
}

/** What makes the run fail on the webhook side; empty when it balances. */
export function webhookFailures(c: WebhookCounts): string[] {
  const out: string[] = [];
  if (c.lost > 0) out.push(`webhook lost ${c.lost}`);
  if (c.duplicated > 0) out.push(`webhook duplicated ${c.duplicated}`);
  if (c.unexpected > 0) out.push(`webhook unexpected ${c.unexpected}`);
  if (c.mismatched > 0) out.push(`webhook mismatched ${c.mismatched}`);
  if (c.refused > 0) out.push(`webhook signatures refused ${c.refused}`);
  if (c.expected === 0) out.push("webhook expected nothing (no mirrored alert stored)");
  return out;
}
