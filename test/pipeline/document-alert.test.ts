import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alert } from "../../src/alerts/alert.ts";
import { recordKey } from "../../src/infor/records.ts";
import { createExceptionTracker } from "../../src/pipeline/exception-tracker.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import {
  cleanup,
  connect,
  eventFor,
  FakeApprovals,
  FakeLookups,
  invoice,
  matchPolicy,
  po,
  routingPolicy,
  uniquePrefix,
} from "./helpers.ts";

let redis: RedisClient;
const prefixes: string[] = [];
beforeAll(() => {
  redis = connect();
});
afterAll(async () => {
  for (const p of prefixes) await cleanup(redis, p);
  await redis.quit();
});

const eur = (amount: string) => ({ amount, currency: "EUR" });

/** PO 4500001 with lines 10 and 20 (10 PCE at 5.00 EUR each, all received). */
function twoLinePo() {
  const base = po({}, { receivedQty: "10" });
  const [first] = base.lines;
  if (!first) throw new Error("po() has a line");
  return { ...base, lines: [first, { ...first, line: 20 }] };
}

/** INV-1 on both PO lines; `prices` per invoice line (1 → PO line 10, 2 → PO line 20). */
function twoLineInvoice(prices: [string, string]) {
  const base = invoice();
  const [first] = base.lines;
  if (!first) throw new Error("invoice() has a line");
  const line = (n: number, poLine: number, price: string) => ({
    ...first,
    line: n,
    poLine,
    unitPrice: eur(price),
    amount: eur((Number(price) * 10).toFixed(2)),
  });
  return {
    ...base,
    lines: [line(1, 10, prices[0]), line(2, 20, prices[1])],
    total: eur((Number(prices[0]) * 10 + Number(prices[1]) * 10).toFixed(2)),
  };
}

function tracker() {
  const prefix = uniquePrefix("pipeline-document");
  prefixes.push(prefix);
  const lookups = new FakeLookups();
  lookups.put(twoLinePo());
  const approvals = new FakeApprovals();
  const make = () =>
    createExceptionTracker({
      redis,
      prefix,
      lookups,
      matchPolicy,
      routingPolicy,
      createPending: approvals.createPending,
      closeApproval: approvals.closeApproval,
      clock: () => new Date("2026-12-01T08:00:00Z"),
    });
  return { t: make(), make, approvals };
}

const states = (a: Alert | undefined) =>
  (a?.document?.lines ?? []).map((l) => `${l.line} ${l.exception.type} ${l.state}`);

describe("one message per document", () => {
  it("two price variances on two lines are one alert with a line and an approval each", async () => {
    const { t, make, approvals } = tracker();
    const inv = twoLineInvoice(["5.50", "5.60"]);
    const event = eventFor(inv);
    const alerts = await t.onChange(event);
    expect(alerts).toHaveLength(1);
    const doc = alerts[0] as Alert;
    expect(doc.subject).toBe(`document:${recordKey(inv)}`);
    expect(states(doc)).toEqual(["1 price_variance open", "2 price_variance open"]);
    const ids = doc.document?.lines.map((l) => l.approvalId) ?? [];
    expect(new Set(ids).size).toBe(2);
    expect(approvals.created.map((c) => c.line)).toEqual([1, 2]);
    expect(doc.document?.events.map((e) => e.event)).toEqual(["opened", "opened"]);
    // The same trigger again (a crash before the watermark moved): the same one alert.
    expect((await make().onChange(event)).map((a) => a.id)).toEqual([doc.id]);

    // Line 2 corrected: ONE edit of the same message, line 2 resolved, line 1 still open with
    // its approval; the edit's event names only line 2.
    const corrected = await t.onChange(eventFor(twoLineInvoice(["5.50", "5.00"])));
    expect(corrected).toHaveLength(1);
    const edit = corrected[0] as Alert;
    expect(edit.subject).toBe(doc.subject);
    expect(edit.id).not.toBe(doc.id);
    expect(edit.kind).toBe("exception.opened");
    expect(states(edit)).toEqual(["1 price_variance open", "2 price_variance resolved"]);
    expect(edit.document?.events).toEqual([
      expect.objectContaining({ event: "resolved", lineId: doc.document?.lines[1]?.id }),
    ]);
    expect(edit.document?.lines[0]?.approvalId).toBe(ids[0]);
    expect(approvals.closed.map((c) => c.approvalId)).toEqual([ids[1]]);

    // Line 1 corrected too: the document is resolved, still the same message.
    const done = await t.onChange(eventFor(twoLineInvoice(["5.00", "5.00"])));
    expect(done).toHaveLength(1);
    expect(done[0]?.kind).toBe("exception.resolved");
    expect(done[0]?.subject).toBe(doc.subject);
    expect(states(done[0])).toEqual(["1 price_variance resolved", "2 price_variance resolved"]);
    expect(done[0]?.needsDecision).toBeUndefined();
  });
});
