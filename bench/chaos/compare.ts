/**
 * The chaos run's accounting, pure: a ledger of every alert the run expects, keyed by alert id,
 * against the Slack emulator's stored messages (every version of every message, thread replies
 * included) and the audit log. Each expectation is counted once per kind; anything in Slack the
 * ledger cannot account for is counted too, so a loss or a duplicate anywhere shows.
 */

/** What the run expects, per invoice: its record message and its "No po" exception message. */
export const LEDGER_KINDS = [
  "record.new",
  "record.updated",
  "exception.opened",
  "exception.changed",
  "exception.resolved",
  "decision.notice",
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** Which of an invoice's messages an alert is about: each is one top-level message with its thread. */
export type Thread = "record" | "exception";

export const THREAD_OF: Readonly<Record<LedgerKind, Thread>> = {
  "record.new": "record",
  "record.updated": "record",
  "exception.opened": "exception",
  "exception.changed": "exception",
  "exception.resolved": "exception",
  // Approvals' thread replies (decision notices, from Slack or reflected from the ERP) go under
  // the exception message that asked for the decision.
  "decision.notice": "exception",
};

/** Kinds that only reply in the thread; the others edit the message and reply. */
const REPLY_ONLY: ReadonlySet<LedgerKind> = new Set(["decision.notice"]);

/** One expected alert. */
export interface LedgerEntry {
  invoice: string;
  kind: LedgerKind;
  /** Its place in its message's life: 0 posts the message, later steps edit it and reply in its thread. */
  step: number;
  /** The channel the invoice's cost center routes to. */
  channel: string;
  /** The app's id for it, from its `alert.stored` audit entry; undefined when it was never stored. */
  alertId: string | undefined;
  /**
   * A later step's thread reply, when delivery sends it as an alert of its own (its
   * `reply.parentAlertId` is `alertId`); without one the edit's own alert id must reply.
   */
  replyAlertId?: string;
}

/** One alert the app stored (audit `alert.stored`), reduced to what the ledger needs. */
export interface StoredAlert {
  alertId: string;
  invoice: string;
  /**
   * Alert kind; a second `exception.opened` of one exception is its `exception.changed`, a
   * `note` is a decision notice.
   */
  kind: "record.new" | "record.updated" | "exception.opened" | "exception.resolved" | "note";
  /** Set on the thread reply of an edit: the edit's alert id. */
  replyTo?: string;
  /**
   * A document alert (one message per invoice) says which exception lines this version changed
   * and how: the ledger counts each line change under its own kind (opened, changed, resolved),
   * so a version that leaves a change out, or a lost version, shows as that line change lost.
   * Absent on an alert that is not a document (its kind counts, as above).
   */
  lines?: { lineId: string; event: "opened" | "changed" | "resolved" }[];
}

const LINE_KIND: Readonly<Record<"opened" | "changed" | "resolved", LedgerKind>> = {
  opened: "exception.opened",
  changed: "exception.changed",
  resolved: "exception.resolved",
};

/** A message as the emulator stores it: every version oldest first; replies have `threadTs`. */
export interface SlackMessage {
  channel: string;
  ts: string;
  /** Parent ts for a thread reply; undefined for a top-level message. */
  threadTs: string | undefined;
  versions: { alertId: string | undefined; content: string }[];
}

/** What a run expected of one invoice: the ledger is built from these and the stored alerts. */
export interface Expectation {
  invoice: string;
  channel: string;
  /** Malformed: expected in quarantine and nowhere in Slack. */
  malformed: boolean;
  /** Steps after the post, per message, in order (e.g. record.updated, then nothing more). */
  followUps: LedgerKind[];
}

/**
 * The ledger: for each invoice, its record alert and its exception alert, then the follow-ups
 * the run caused, each matched to the alert the app stored for it (in the order they were
 * stored; a repeat store of one alert id is one alert). Stored alerts of the run's invoices the
 * expectations do not account for come back as `unexpected`.
 */
export function buildLedger(
  expectations: readonly Expectation[],
  stored: readonly StoredAlert[],
): { ledger: LedgerEntry[]; unexpected: StoredAlert[] } {
  const byInvoiceKind = new Map<string, string[]>();
  const seen = new Set<string>();
  const firstOpened = new Set<string>();
  const replyOf = new Map<string, StoredAlert>();
  const lineless: StoredAlert[] = [];
  for (const s of stored) {
    if (seen.has(s.alertId)) continue;
    seen.add(s.alertId);
    if (s.replyTo !== undefined) {
      if (!replyOf.has(s.replyTo)) replyOf.set(s.replyTo, s);
      continue;
    }
    if (s.lines !== undefined) {
      // A document version: one ledger item per line it changed (each names this alert id).
      if (s.lines.length === 0) lineless.push(s);
      for (const l of s.lines) {
        const k = `${s.invoice} ${LINE_KIND[l.event]}`;
        byInvoiceKind.set(k, [...(byInvoiceKind.get(k) ?? []), s.alertId]);
      }
      continue;
    }
    let kind: LedgerKind = s.kind === "note" ? "decision.notice" : s.kind;
    if (s.kind === "exception.opened") {
      if (firstOpened.has(s.invoice)) kind = "exception.changed";
      else firstOpened.add(s.invoice);
    }
    const k = `${s.invoice} ${kind}`;
    byInvoiceKind.set(k, [...(byInvoiceKind.get(k) ?? []), s.alertId]);
  }
  const ledger: LedgerEntry[] = [];
  const replied = new Set<string>();
  const take = (invoice: string, kind: LedgerKind) =>
    byInvoiceKind.get(`${invoice} ${kind}`)?.shift();
  for (const e of expectations) {
    if (e.malformed) continue;
    const steps: Record<Thread, LedgerKind[]> = {
      record: ["record.new"],
      exception: ["exception.opened"],
    };
    for (const k of e.followUps) steps[THREAD_OF[k]].push(k);
    for (const thread of ["record", "exception"] as const) {
      steps[thread].forEach((kind, step) => {
        const alertId = take(e.invoice, kind);
        const reply = alertId ? replyOf.get(alertId) : undefined;
        if (alertId) replied.add(alertId);
        ledger.push({
          invoice: e.invoice,
          kind,
          step,
          channel: e.channel,
          alertId,
          ...(reply ? { replyAlertId: reply.alertId } : {}),
        });
      });
    }
  }
  const unexpected: StoredAlert[] = [];
  for (const [k, ids] of byInvoiceKind) {
    const [invoice, kind] = k.split(" ") as [string, LedgerKind];
    for (const alertId of ids) {
      unexpected.push({
        alertId,
        invoice,
        kind:
          kind === "exception.changed"
            ? "exception.opened"
            : kind === "decision.notice"
              ? "note"
              : kind,
      });
    }
  }
  // Document versions that changed no line, and replies to alerts the ledger does not hold.
  unexpected.push(
    ...lineless,
    ...[...replyOf].filter(([parent]) => !replied.has(parent)).map(([, r]) => r),
  );
  return { ledger, unexpected };
}

export interface KindTotals {
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  misrouted: number;
  auditMissing: number;
}

export interface ChaosCounts {
  expected: number;
  /** Invoices whose record alert is in Slack. */
  delivered: number;
  /** Sum over kinds, plus malformed invoices neither in quarantine nor anywhere else. */
  lost: number;
  /** Sum over kinds, plus duplicates across kinds and by content. */
  duplicated: number;
  quarantined: number;
  /** Alert messages about this run's invoices: top-level messages and thread replies. */
  alertMessages: number;
  auditMissing: number;
  misrouted: number;
  /** Ledger totals per alert kind. */
  perKind: Record<LedgerKind, KindTotals>;
  /**
   * The thread replies the ledger expects (one per later step: an edit's reply, a decision
   * notice), each by the id it was sent under: delivered = in its message's thread, duplicated =
   * every further reply of that id. Already counted under their step's kind (a step is delivered
   * only with its reply); this is the same accounting seen from the replies, never added twice.
   */
  threadReplies: KindTotals;
  /** One message of an invoice posted top-level under two alert ids (e.g. as New and as Updated). */
  duplicatedAcrossKinds: number;
  /** Bot messages without our alert metadata (each a failure: nothing can account for them). */
  withoutMetadata: number;
  /** Of those, ones whose content repeats another message's. */
  duplicatedByContent: number;
  /** Messages whose versions (or whose thread's replies) went back to an earlier step. */
  outOfOrder: number;
  /** Alerts of the run's invoices the ledger did not expect (stored, or seen in Slack). */
  unexpected: number;
  /** Delivery's queue was empty when the workers were stopped. */
  drained: boolean;
  lostNumbers: string[];
  duplicatedNumbers: string[];
  /** A few examples per failure, for the report. */
  examples: string[];
}

const emptyTotals = (): KindTotals => ({
  expected: 0,
  delivered: 0,
  lost: 0,
  duplicated: 0,
  misrouted: 0,
  auditMissing: 0,
});

/**
 * Ledger against Slack and the audit log. Per entry: a step-0 alert must be exactly one
 * top-level post (the first version of its message) in its channel; a later step must be an
 * edit of that message and exactly one reply in its thread. Lost: a required artifact missing
 * (or the alert never stored). Duplicated: a second post or reply of one alert id. Misrouted:
 * any of its artifacts in another channel. Audit missing: delivered without `alert.stored` or a
 * successful post entry. Besides the ledger: two top-level messages of one invoice's record or
 * exception (across kinds), bot messages without metadata and content repeats among them,
 * versions or replies out of step order, and unexpected alerts.
 */
export function compareLedger(o: {
  tag: string;
  expectations: readonly Expectation[];
  ledger: readonly LedgerEntry[];
  unexpectedStored: readonly StoredAlert[];
  messages: readonly SlackMessage[];
  quarantinedNumbers: ReadonlySet<string>;
  auditStored: ReadonlySet<string>;
  auditDelivered: ReadonlySet<string>;
  drained: boolean;
}): ChaosCounts {
  const examples: string[] = [];
  const note = (line: string) => {
    if (examples.length < 20) examples.push(line);
  };
  const perKind = Object.fromEntries(LEDGER_KINDS.map((k) => [k, emptyTotals()])) as Record<
    LedgerKind,
    KindTotals
  >;
  const entryById = new Map<string, LedgerEntry>();
  for (const e of o.ledger) {
    // A document version changing two lines is two entries with one alert id: the first names it.
    if (e.alertId && !entryById.has(e.alertId)) entryById.set(e.alertId, e);
    if (e.replyAlertId && !entryById.has(e.replyAlertId)) entryById.set(e.replyAlertId, e);
  }

  // Where each alert id shows in Slack.
  const posts = new Map<string, SlackMessage[]>();
  const edits = new Map<string, SlackMessage[]>();
  const replies = new Map<string, SlackMessage[]>();
  const add = (m: Map<string, SlackMessage[]>, id: string, msg: SlackMessage) =>
    m.set(id, [...(m.get(id) ?? []), msg]);
  const pattern = new RegExp(`${escapeRegExp(o.tag)}-\\d+(?!\\d)`);
  let alertMessages = 0;
  let withoutMetadata = 0;
  const contentCount = new Map<string, number>();
  for (const m of o.messages) {
    const last = m.versions.at(-1);
    if (last) contentCount.set(last.content, (contentCount.get(last.content) ?? 0) + 1);
  }
  let duplicatedByContent = 0;
  let unexpectedSeen = 0;
  for (const m of o.messages) {
    const ids = dedupeConsecutive(m.versions.map((v) => v.alertId));
    const ours =
      ids.some((id) => id !== undefined && entryById.has(id)) ||
      m.versions.some((v) => pattern.test(v.content));
    if (ours) alertMessages += 1;
    const last = m.versions.at(-1);
    if (m.versions.every((v) => v.alertId === undefined)) {
      withoutMetadata += 1;
      note(`without metadata: ${m.channel} ${m.ts} "${(last?.content ?? "").slice(0, 60)}"`);
      if (last && (contentCount.get(last.content) ?? 0) > 1) duplicatedByContent += 1;
      continue;
    }
    if (m.threadTs !== undefined) {
      for (const id of ids) if (id) add(replies, id, m);
    } else {
      const [first, ...later] = ids;
      if (first) add(posts, first, m);
      for (const id of later) if (id) add(edits, id, m);
    }
    for (const id of ids) {
      if (id && !entryById.has(id) && pattern.test(last?.content ?? "")) {
        unexpectedSeen += 1;
        note(
          `unexpected alert in Slack: ${id} in ${m.channel} "${(last?.content ?? "").slice(0, 60)}"`,
        );
      }
    }
  }

  // The message each invoice's record / exception lives in: where its step-0 alert was posted.
  const rootOf = new Map<string, SlackMessage>();
  for (const e of o.ledger) {
    const p = e.step === 0 && e.alertId ? posts.get(e.alertId)?.[0] : undefined;
    if (p) rootOf.set(`${e.invoice} ${THREAD_OF[e.kind]}`, p);
  }

  const lostNumbers = new Set<string>();
  const duplicatedNumbers = new Set<string>();
  const replyTotals = emptyTotals();
  let auditMissing = 0;
  let misrouted = 0;
  for (const e of o.ledger) {
    const t = perKind[e.kind];
    t.expected += 1;
    const where = `${e.invoice} ${e.kind}${e.alertId ? ` (${e.alertId})` : ""}`;
    if (!e.alertId) {
      t.lost += 1;
      lostNumbers.add(e.invoice);
      note(`lost, never stored: ${where}`);
      continue;
    }
    const p = posts.get(e.alertId) ?? [];
    const ed = edits.get(e.alertId) ?? [];
    const r = replies.get(e.replyAlertId ?? e.alertId) ?? [];
    const root = rootOf.get(`${e.invoice} ${THREAD_OF[e.kind]}`);
    let delivered: boolean;
    let extra: number;
    if (e.step === 0) {
      delivered = p.length > 0;
      extra = Math.max(0, p.length - 1) + r.length;
    } else {
      const edited =
        REPLY_ONLY.has(e.kind) ||
        (root !== undefined && ed.some((m) => m.ts === root.ts && m.channel === root.channel));
      const replied =
        root !== undefined && r.some((m) => m.threadTs === root.ts && m.channel === root.channel);
      delivered = edited && replied;
      countReply(replyTotals, e, r, replied, o);
      // A later version posted as a new top-level message is a duplicate of the invoice's message.
      extra = Math.max(0, r.length - 1) + p.length;
    }
    if (delivered) t.delivered += 1;
    else {
      t.lost += 1;
      lostNumbers.add(e.invoice);
      note(`lost: ${where} (posts ${p.length}, edits ${ed.length}, replies ${r.length})`);
    }
    if (extra > 0) {
      t.duplicated += extra;
      duplicatedNumbers.add(e.invoice);
      note(`duplicated ×${extra}: ${where}`);
    }
    const wrong = [...p, ...ed, ...r].filter((m) => m.channel !== e.channel);
    if (wrong.length > 0) {
      t.misrouted += wrong.length;
      misrouted += wrong.length;
      note(`misrouted: ${where} in ${wrong[0]?.channel}, expected ${e.channel}`);
    }
    if (p.length + ed.length + r.length > 0) {
      const ids = [e.alertId, ...(e.replyAlertId ? [e.replyAlertId] : [])];
      const stored = ids.every((id) => o.auditStored.has(id));
      const posted = ids.every((id) => o.auditDelivered.has(id));
      if (!stored || !posted) {
        t.auditMissing += 1;
        auditMissing += 1;
        note(
          `audit gap: ${where}: ${stored ? "" : "no alert.stored "}${posted ? "" : "no successful post"}`.trim(),
        );
      }
    }
  }

  // Across kinds: an invoice's record (or exception) is one top-level message, whatever its alerts.
  let duplicatedAcrossKinds = 0;
  const topLevel = new Map<string, Set<string>>();
  for (const [id, msgs] of posts) {
    const e = entryById.get(id);
    if (!e) continue;
    const k = `${e.invoice} ${THREAD_OF[e.kind]}`;
    const set = topLevel.get(k) ?? new Set<string>();
    for (const m of msgs) set.add(`${m.channel} ${m.ts}`);
    topLevel.set(k, set);
  }
  for (const [k, set] of topLevel) {
    if (set.size > 1) {
      duplicatedAcrossKinds += set.size - 1;
      duplicatedNumbers.add(k.split(" ")[0] ?? k);
      note(`duplicated across kinds: ${k} in ${set.size} top-level messages`);
    }
  }

  // Order: a message's versions and its thread's replies go forward in step order.
  let outOfOrder = 0;
  const stepOf = (id: string | undefined) => (id ? entryById.get(id)?.step : undefined);
  const threadReplies = new Map<string, SlackMessage[]>();
  for (const m of o.messages) {
    if (m.threadTs === undefined) continue;
    const k = `${m.channel} ${m.threadTs}`;
    threadReplies.set(k, [...(threadReplies.get(k) ?? []), m]);
  }
  for (const root of rootOf.values()) {
    const versionSteps = dedupeConsecutive(root.versions.map((v) => v.alertId))
      .map(stepOf)
      .filter((s): s is number => s !== undefined);
    const replySteps = (threadReplies.get(`${root.channel} ${root.ts}`) ?? [])
      .sort((a, b) => Number(a.ts) - Number(b.ts))
      .map((m) => stepOf(m.versions.at(-1)?.alertId))
      .filter((s): s is number => s !== undefined);
    if (!increasing(versionSteps) || !increasing(replySteps)) {
      outOfOrder += 1;
      note(
        `out of order: ${root.channel} ${root.ts} versions [${versionSteps}] replies [${replySteps}]`,
      );
    }
  }

  let quarantined = 0;
  for (const e of o.expectations) {
    if (!e.malformed) continue;
    if (o.quarantinedNumbers.has(e.invoice)) quarantined += 1;
    else {
      lostNumbers.add(e.invoice);
      note(`lost: malformed ${e.invoice} neither quarantined nor posted`);
    }
  }
  const quarantineLost = o.expectations.filter(
    (e) => e.malformed && !o.quarantinedNumbers.has(e.invoice),
  ).length;
  for (const u of o.unexpectedStored)
    note(`unexpected alert stored: ${u.invoice} ${u.kind} (${u.alertId})`);

  const kinds = Object.values(perKind);
  const sum = (f: (t: KindTotals) => number) => kinds.reduce((n, t) => n + f(t), 0);
  const recordDelivered = new Set(
    o.ledger
      .filter(
        (e) => e.kind === "record.new" && e.alertId && (posts.get(e.alertId)?.length ?? 0) > 0,
      )
      .map((e) => e.invoice),
  );
  return {
    expected: o.expectations.length,
    delivered: recordDelivered.size,
    lost: sum((t) => t.lost) + quarantineLost,
    duplicated: sum((t) => t.duplicated) + duplicatedAcrossKinds + duplicatedByContent,
    quarantined,
    alertMessages,
    auditMissing,
    misrouted,
    perKind,
    threadReplies: replyTotals,
    duplicatedAcrossKinds,
    withoutMetadata,
    duplicatedByContent,
    outOfOrder,
    unexpected: o.unexpectedStored.length + unexpectedSeen,
    drained: o.drained,
    lostNumbers: [...lostNumbers],
    duplicatedNumbers: [...duplicatedNumbers],
    examples,
  };
}

/** Whatever failed, by name; empty when the run accounted for every alert. */
export function failures(c: ChaosCounts): string[] {
  const out: string[] = [];
  if (c.lost > 0) out.push(`${c.lost} lost`);
  if (c.duplicated > 0) out.push(`${c.duplicated} duplicated`);
  if (c.misrouted > 0) out.push(`${c.misrouted} misrouted`);
  if (c.auditMissing > 0) out.push(`${c.auditMissing} audit entries missing`);
  if (c.withoutMetadata > 0) out.push(`${c.withoutMetadata} messages without metadata`);
  if (c.outOfOrder > 0) out.push(`${c.outOfOrder} messages out of order`);
  if (c.unexpected > 0) out.push(`${c.unexpected} unexpected alerts`);
  if (!c.drained) out.push("delivery queue not drained");
  return out;
}

/** One expected thread reply (a later step's), in the replies' own totals. */
function countReply(
  t: KindTotals,
  e: LedgerEntry,
  found: readonly SlackMessage[],
  inThread: boolean,
  o: { auditStored: ReadonlySet<string>; auditDelivered: ReadonlySet<string> },
): void {
  t.expected += 1;
  if (inThread) t.delivered += 1;
  else t.lost += 1;
  t.duplicated += Math.max(0, found.length - 1);
  t.misrouted += found.filter((m) => m.channel !== e.channel).length;
  const id = e.replyAlertId ?? e.alertId;
  if (found.length > 0 && id && !(o.auditStored.has(id) && o.auditDelivered.has(id))) {
    t.auditMissing += 1;
  }
}

function dedupeConsecutive<T>(xs: readonly T[]): T[] {
  return xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
}

function increasing(xs: readonly number[]): boolean {
  return xs.every((x, i) => i === 0 || x > (xs[i - 1] as number));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
