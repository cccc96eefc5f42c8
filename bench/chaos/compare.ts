import type { InjectedInvoice } from "./inject.ts";

/** A top-level message as the emulator stores it, reduced to what the comparison needs. */
export interface PostedMessage {
  channel: string;
  ts: string;
  /** text + blocks, serialized: where the invoice number shows. */
  content: string;
  /** `metadata.event_payload.alert_id` when the message carries our alert metadata. */
  alertId: string | undefined;
}

export interface ChaosCounts {
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  quarantined: number;
  /** Alert messages about this run's invoices (record alerts and match exceptions). */
  alertMessages: number;
  /** Delivered alerts without an `alert.stored` entry or a successful post in the audit log. */
  auditMissing: number;
  /** Messages naming an invoice of this run in a channel its cost center does not route to. */
  misrouted: number;
  lostNumbers: string[];
  duplicatedNumbers: string[];
  /** A few misrouted messages: number, kind, channel and the channel expected. */
  misroutedExamples: string[];
  /** A few delivered alerts with audit gaps, and which entry is missing. */
  auditMissingExamples: string[];
}

/**
 * Simulator records against emulator messages, pure. One record can raise several alerts (the
 * record's own "New: Invoice …" and, for a non-PO invoice, a match exception "No purchase order on
 * invoice …"); a message's kind is its text up to the invoice number. An invoice is delivered
 * when its record alert ("New…"/"Updated…") is in a channel; every further top-level message of
 * the same kind and number is a duplicate (updates edit the message or reply in its thread,
 * they never post a new top-level message). A malformed invoice found in quarantine is
 * accounted for; any other invoice not delivered is lost.
 */
export function compareRun(o: {
  tag: string;
  injected: readonly InjectedInvoice[];
  messages: readonly PostedMessage[];
  quarantinedNumbers: ReadonlySet<string>;
  auditStored: ReadonlySet<string>;
  auditDelivered: ReadonlySet<string>;
  channelFor: (costCenter: string | undefined) => string;
}): ChaosCounts {
  const pattern = new RegExp(`${escapeRegExp(o.tag)}-(\\d+)(?!\\d)`, "g");
  const byNumber = new Map<string, { kind: string; message: PostedMessage }[]>();
  let alertMessages = 0;
  for (const m of o.messages) {
    if (m.alertId === undefined) continue;
    // The first invoice number a message names is its subject (an exception may name others).
    const first = [...m.content.matchAll(pattern)][0];
    if (!first) continue;
    alertMessages += 1;
    const n = `${o.tag}-${first[1]}`;
    const kind = m.content.split(n)[0]?.trim() ?? "";
    byNumber.set(n, [...(byNumber.get(n) ?? []), { kind, message: m }]);
  }
  let delivered = 0;
  let duplicated = 0;
  let quarantined = 0;
  let misrouted = 0;
  let auditMissing = 0;
  const lostNumbers: string[] = [];
  const duplicatedNumbers: string[] = [];
  const misroutedExamples: string[] = [];
  const auditMissingExamples: string[] = [];
  for (const inv of o.injected) {
    const found = byNumber.get(inv.number) ?? [];
    if (!found.some((f) => RECORD_ALERT.test(f.kind))) {
      if (o.quarantinedNumbers.has(inv.number)) quarantined += 1;
      else lostNumbers.push(inv.number);
    } else {
      delivered += 1;
    }
    const kinds = new Map<string, number>();
    for (const f of found) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
    const extra = [...kinds.values()].reduce((sum, k) => sum + k - 1, 0);
    if (extra > 0) {
      duplicated += extra;
      duplicatedNumbers.push(inv.number);
    }
    const channel = o.channelFor(inv.costCenter);
    for (const f of found) {
      if (f.message.channel === channel) continue;
      misrouted += 1;
      if (misroutedExamples.length < 5) {
        misroutedExamples.push(
          `${inv.number} "${f.kind.slice(0, 40)}" in ${f.message.channel}, expected ${channel}`,
        );
      }
    }
    for (const f of found) {
      const id = f.message.alertId ?? "";
      const stored = o.auditStored.has(id);
      const posted = o.auditDelivered.has(id);
      if (stored && posted) continue;
      auditMissing += 1;
      if (auditMissingExamples.length < 5) {
        auditMissingExamples.push(
          `${inv.number} "${f.kind.slice(0, 30)}" alert ${id}: ${stored ? "" : "no alert.stored "}${posted ? "" : "no successful post"}`.trim(),
        );
      }
    }
  }
  return {
    expected: o.injected.length,
    delivered,
    lost: lostNumbers.length,
    duplicated,
    quarantined,
    auditMissing,
    alertMessages,
    misrouted,
    lostNumbers,
    duplicatedNumbers,
    misroutedExamples,
    auditMissingExamples,
  };
}

/** The record's own alert: "New: Invoice …", "Updated: Invoice …". */
const RECORD_ALERT = /^(New|Updated)\b/;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
