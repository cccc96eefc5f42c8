import { describe, expect, it } from "vitest";
import {
  buildLedger,
  type ChaosCounts,
  compareLedger,
  type Expectation,
  failures,
  type SlackMessage,
  type StoredAlert,
} from "../../bench/chaos/compare.ts";

/**
 * The chaos comparison fed a run whose every alert arrived (it balances), then the same run with
 * one fault seeded at a time: each must be reported, under the kind it hit, and fail the run.
 */
const TAG = "XT1";
const C1 = "C0CC100001";
const C2 = "C0CC200001";
let seq = 0;
const ts = () => `1765000000.${String(++seq).padStart(6, "0")}`;

const expectations: Expectation[] = [
  { invoice: `${TAG}-1`, channel: C1, malformed: false, followUps: [] },
  {
    invoice: `${TAG}-2`,
    channel: C1,
    malformed: false,
    followUps: ["record.updated", "exception.changed"],
  },
  {
    invoice: `${TAG}-3`,
    channel: C2,
    malformed: false,
    followUps: ["record.updated", "exception.resolved"],
  },
  // 12 must not be taken for 1.
  { invoice: `${TAG}-12`, channel: C2, malformed: false, followUps: [] },
  { invoice: `${TAG}-4`, channel: C1, malformed: true, followUps: [] },
];

// Exception alerts are document versions (one message per invoice) naming the line they changed.
const opened = [{ lineId: "mx_po_not_found", event: "opened" as const }];
const stored: StoredAlert[] = [
  { alertId: "r1", invoice: `${TAG}-1`, kind: "record.new" },
  { alertId: "e1", invoice: `${TAG}-1`, kind: "exception.opened", lines: opened },
  { alertId: "r2", invoice: `${TAG}-2`, kind: "record.new" },
  { alertId: "e2", invoice: `${TAG}-2`, kind: "exception.opened", lines: opened },
  { alertId: "r3", invoice: `${TAG}-3`, kind: "record.new" },
  { alertId: "e3", invoice: `${TAG}-3`, kind: "exception.opened", lines: opened },
  { alertId: "r12", invoice: `${TAG}-12`, kind: "record.new" },
  { alertId: "e12", invoice: `${TAG}-12`, kind: "exception.opened", lines: opened },
  // A retried sink stores the same alert again: still one alert.
  { alertId: "r1", invoice: `${TAG}-1`, kind: "record.new" },
  { alertId: "r2u", invoice: `${TAG}-2`, kind: "record.updated" },
  {
    alertId: "e2c",
    invoice: `${TAG}-2`,
    kind: "exception.opened",
    lines: [{ lineId: "mx_po_not_found", event: "changed" }],
  },
  { alertId: "r3u", invoice: `${TAG}-3`, kind: "record.updated" },
  // Delivery sends an edit's thread reply as an alert of its own (invoice 2); invoice 3's edits
  // reply under their own ids.
  { alertId: "r2u>", invoice: `${TAG}-2`, kind: "record.updated", replyTo: "r2u" },
  { alertId: "e2c>", invoice: `${TAG}-2`, kind: "exception.opened", replyTo: "e2c" },
  {
    alertId: "e3r",
    invoice: `${TAG}-3`,
    kind: "exception.resolved",
    lines: [{ lineId: "mx_po_not_found", event: "resolved" }],
  },
];

const text = (alertId: string) => {
  const [kind, n] = (
    {
      r: ["New: Invoice", alertId.slice(1).replace(/[uc]$/, "")],
      e: ["Exception: No po: invoice", alertId.slice(1).replace(/[cr]$/, "")],
    } as const
  )[alertId[0] as "r" | "e"];
  return `${kind} ${TAG}-${n} (${alertId})\n[]`;
};

/** A top-level message posted as `first`, then edited into each of `edits`. */
function message(channel: string, first: string, ...edits: string[]): SlackMessage {
  return {
    channel,
    ts: ts(),
    threadTs: undefined,
    versions: [first, ...edits].map((id) => ({ alertId: id, content: text(id) })),
  };
}
function reply(parent: SlackMessage, alertId: string | undefined, channel = parent.channel) {
  return {
    channel,
    ts: ts(),
    threadTs: parent.ts,
    versions: [{ alertId, content: `Updated (${alertId ?? "no metadata"})\n[]` }],
  } satisfies SlackMessage;
}

/** Everything the ledger expects, delivered once, in its channel, in order. */
function cleanRun(): SlackMessage[] {
  const m1 = message(C1, "r1");
  const x1 = message(C1, "e1");
  const m2 = message(C1, "r2", "r2u");
  const x2 = message(C1, "e2", "e2c");
  const m3 = message(C2, "r3", "r3u");
  const x3 = message(C2, "e3", "e3r");
  const m12 = message(C2, "r12");
  const x12 = message(C2, "e12");
  return [
    m1,
    x1,
    m2,
    x2,
    m3,
    x3,
    m12,
    x12,
    reply(m2, "r2u>"),
    reply(x2, "e2c>"),
    reply(m3, "r3u"),
    reply(x3, "e3r"),
  ];
}

const ALL = new Set(stored.map((s) => s.alertId));

function compare(
  messages: SlackMessage[],
  o: { stored?: StoredAlert[]; delivered?: Set<string>; drained?: boolean } = {},
): ChaosCounts {
  const { ledger, unexpected } = buildLedger(expectations, o.stored ?? stored);
  return compareLedger({
    tag: TAG,
    expectations,
    ledger,
    unexpectedStored: unexpected,
    messages,
    quarantinedNumbers: new Set([`${TAG}-4`]),
    auditStored: ALL,
    auditDelivered: o.delivered ?? ALL,
    drained: o.drained ?? true,
  });
}

describe("chaos ledger comparison", () => {
  it("balances a run where every expected alert arrived once", () => {
    const c = compare(cleanRun());
    expect(failures(c)).toEqual([]);
    expect(c).toMatchObject({ expected: 5, delivered: 4, quarantined: 1, alertMessages: 12 });
    expect(c.perKind["exception.opened"]).toEqual({
      expected: 4,
      delivered: 4,
      lost: 0,
      duplicated: 0,
      misrouted: 0,
      auditMissing: 0,
    });
    expect(c.perKind["exception.changed"].delivered).toBe(1);
    expect(c.perKind["exception.resolved"].delivered).toBe(1);
    expect(c.perKind["record.updated"].delivered).toBe(2);
    // every later step's reply, by its own id where it has one, once in its thread
    expect(c.threadReplies).toEqual({
      expected: 4,
      delivered: 4,
      lost: 0,
      duplicated: 0,
      misrouted: 0,
      auditMissing: 0,
    });
  });

  it("reports an exception alert removed as lost under its kind", () => {
    const messages = cleanRun().filter((m) => m.versions[0]?.alertId !== "e12");
    const c = compare(messages);
    expect(c.perKind["exception.opened"]).toMatchObject({ expected: 4, delivered: 3, lost: 1 });
    expect(c.lost).toBe(1);
    expect(c.lostNumbers).toEqual([`${TAG}-12`]);
    // The invoice's record alert did arrive: per-invoice accounting would have seen nothing.
    expect(c.delivered).toBe(4);
    expect(failures(c)).toContain("1 lost");
  });

  it("reports an exception alert never stored as lost", () => {
    const c = compare(cleanRun(), { stored: stored.filter((s) => s.alertId !== "e3r") });
    expect(c.perKind["exception.resolved"]).toMatchObject({ lost: 1 });
    // Its message in Slack is then an alert the ledger cannot account for.
    expect(c.unexpected).toBe(1);
  });

  it("reports a line change its document version left out as lost (and the version as unexpected)", () => {
    // The invoice's message was edited, but the version says no line changed: the amount change
    // of invoice 2's exception line is nowhere.
    const c = compare(cleanRun(), {
      stored: stored.map((s) => (s.alertId === "e2c" ? { ...s, lines: [] } : s)),
    });
    expect(c.perKind["exception.changed"]).toMatchObject({ expected: 1, delivered: 0, lost: 1 });
    expect(c.lostNumbers).toEqual([`${TAG}-2`]);
    expect(c.unexpected).toBeGreaterThan(0);
    expect(failures(c)).toContain("1 lost");
  });

  it("reports a line change stored in a version that never reached the message as lost", () => {
    // Version e2c stored but never edited into invoice 2's message nor replied in its thread.
    const messages = cleanRun()
      .map((m) =>
        m.versions[0]?.alertId === "e2" ? { ...m, versions: m.versions.slice(0, 1) } : m,
      )
      .filter((m) => m.versions[0]?.alertId !== "e2c>");
    const c = compare(messages);
    expect(c.perKind["exception.changed"]).toMatchObject({ expected: 1, lost: 1 });
  });

  it("reports an exception alert posted twice as duplicated under its kind", () => {
    const messages = cleanRun();
    messages.push(message(C1, "e1"));
    const c = compare(messages);
    expect(c.perKind["exception.opened"]).toMatchObject({ delivered: 4, duplicated: 1 });
    expect(c.duplicatedAcrossKinds).toBe(1);
    expect(c.duplicatedNumbers).toEqual([`${TAG}-1`]);
    expect(failures(c).join()).toMatch(/duplicated/);
  });

  it("reports a thread reply posted twice, and an update posted as a new message", () => {
    const messages = cleanRun();
    const x2 = messages[3] as SlackMessage;
    messages.push(reply(x2, "e2c>"));
    messages.push(message(C1, "r2u"));
    const c = compare(messages);
    expect(c.perKind["exception.changed"].duplicated).toBe(1);
    expect(c.perKind["record.updated"].duplicated).toBe(1);
    expect(c.threadReplies).toMatchObject({ expected: 4, delivered: 4, duplicated: 1 });
    // The record of invoice 2 is now two top-level messages.
    expect(c.duplicatedAcrossKinds).toBe(1);
  });

  it("reports an edit whose thread reply never came as lost", () => {
    const messages = cleanRun().filter((m) => m.versions[0]?.alertId !== "r2u>");
    const c = compare(messages);
    expect(c.perKind["record.updated"]).toMatchObject({ expected: 2, delivered: 1, lost: 1 });
    expect(c.threadReplies).toMatchObject({ expected: 4, delivered: 3, lost: 1, duplicated: 0 });
    expect(failures(c)).toContain("1 lost");
  });

  it("reports a thread reply under its own id posted in another thread as lost, and once more as duplicated", () => {
    const messages = cleanRun();
    const m2 = messages.find((m) => m.versions.at(-1)?.alertId === "r2u" && !m.threadTs);
    const x2 = messages.find((m) => m.versions.at(-1)?.alertId === "e2c" && !m.threadTs);
    const i = messages.findIndex((m) => m.versions[0]?.alertId === "r2u>");
    if (!m2 || !x2 || i < 0) throw new Error("fixture changed");
    // the record's reply went under the exception message instead
    messages[i] = reply(x2, "r2u>");
    let c = compare(messages);
    expect(c.threadReplies).toMatchObject({ delivered: 3, lost: 1 });
    expect(c.perKind["record.updated"]).toMatchObject({ lost: 1 });
    // and then also where it belongs: found once in its thread, duplicated once
    messages.push(reply(m2, "r2u>"));
    c = compare(messages);
    expect(c.threadReplies).toMatchObject({ delivered: 4, lost: 0, duplicated: 1 });
    expect(failures(c).join()).toMatch(/duplicated/);
  });

  it("reports a message without metadata as a failure, and its copy by content as a duplicate", () => {
    const messages = cleanRun();
    const copy = messages[1] as SlackMessage;
    messages.push({
      ...copy,
      ts: ts(),
      versions: copy.versions.map((v) => ({ content: v.content, alertId: undefined })),
    });
    const c = compare(messages);
    expect(c.withoutMetadata).toBe(1);
    expect(c.duplicatedByContent).toBe(1);
    expect(failures(c)).toEqual(expect.arrayContaining(["1 messages without metadata"]));
  });

  it("reports an exception alert in the wrong channel as misrouted", () => {
    const messages = cleanRun().map((m) =>
      m.versions[0]?.alertId === "e12" ? { ...m, channel: C1 } : m,
    );
    const c = compare(messages);
    expect(c.perKind["exception.opened"].misrouted).toBe(1);
    expect(c.misrouted).toBe(1);
    expect(failures(c)).toContain("1 misrouted");
  });

  it("reports edits applied out of order and a missing audit entry", () => {
    const messages = cleanRun().map((m) =>
      // An older version written back over the newer one.
      m.versions[0]?.alertId === "r3" ? { ...m, versions: [...m.versions, m.versions[0]] } : m,
    );
    const c = compare(messages, { delivered: new Set([...ALL].filter((id) => id !== "e3r")) });
    expect(c.outOfOrder).toBe(1);
    expect(c.perKind["exception.resolved"].auditMissing).toBe(1);
    expect(failures(c)).toEqual(
      expect.arrayContaining(["1 audit entries missing", "1 messages out of order"]),
    );
  });

  it("fails a run whose delivery queue did not drain, and a malformed invoice not quarantined", () => {
    expect(failures(compare(cleanRun(), { drained: false }))).toEqual([
      "delivery queue not drained",
    ]);
    const { ledger, unexpected } = buildLedger(expectations, stored);
    const c = compareLedger({
      tag: TAG,
      expectations,
      ledger,
      unexpectedStored: unexpected,
      messages: cleanRun(),
      quarantinedNumbers: new Set(),
      auditStored: ALL,
      auditDelivered: ALL,
      drained: true,
    });
    expect(c.lost).toBe(1);
    expect(c.lostNumbers).toEqual([`${TAG}-4`]);
  });
});
