import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Alert } from "../../src/alerts/alert.ts";
import { recordKey } from "../../src/infor/records.ts";
import {
  createExceptionTracker,
  type ExceptionTracker,
} from "../../src/pipeline/exception-tracker.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { countRoundTrips } from "../support/round-trips.ts";
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
let prefix: string;
let lookups: FakeLookups;
let approvals: FakeApprovals;
let tracker: ExceptionTracker;
let n = 0;

function newTracker(): ExceptionTracker {
  return createExceptionTracker({
    redis,
    prefix,
    lookups,
    matchPolicy,
    routingPolicy,
    createPending: approvals.createPending,
    closeApproval: approvals.closeApproval,
    clock: () => new Date("2026-12-01T08:00:00Z"),
  });
}

beforeAll(() => {
  redis = connect();
});

const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await cleanup(redis, p);
  await redis.quit();
});

beforeEach(() => {
  // A prefix per test: each starts from an empty store.
  prefix = uniquePrefix(`pipeline-tracker-${++n}`);
  prefixes.push(prefix);
  lookups = new FakeLookups();
  approvals = new FakeApprovals();
  tracker = newTracker();
});

function kinds(alerts: Alert[]): string[] {
  return alerts.map((a) => `${a.kind}:${a.exception?.type}`);
}

/** Each line of each document alert with its state: "no_receipt:open". */
function lineStates(alerts: Alert[]): string[] {
  return alerts
    .flatMap((a) => (a.document?.lines ?? []).map((l) => `${l.exception.type}:${l.state}`))
    .sort();
}

describe("exception tracker", () => {
  it("opens a missing-receipt exception once, in the cost center's channel, with buttons", async () => {
    lookups.put(po());
    const inv = invoice();
    const event = eventFor(inv);
    const first = await tracker.onChange(event);
    expect(kinds(first)).toEqual(["exception.opened:no_receipt"]);
    const alert = first[0] as Alert;
    expect(alert.channel).toBe("C100");
    expect(alert.costCenter).toBe("CC100");
    // One message per document: the invoice is the alert's record key and subject.
    expect(alert.recordKey).toBe(recordKey(inv));
    expect(alert.subject).toBe(`document:${recordKey(inv)}`);
    expect(lineStates(first)).toEqual(["no_receipt:open"]);
    expect(alert.needsDecision?.approvalId).toMatch(/^apv_/);
    expect(alert.document?.lines[0]?.approvalId).toBe(alert.needsDecision?.approvalId);
    expect(alert.needsDecision?.allowHold).toBe(true);
    expect(approvals.created).toHaveLength(1);
    expect(approvals.created[0]?.line).toBe(1);
    expect(approvals.created[0]?.costCenter).toBe("CC100");

    // The same event again (a restart before the watermark moved): the same alert, same id.
    const replay = await newTracker().onChange(event);
    expect(replay.map((a) => a.id)).toEqual([alert.id]);

    // A later version of the invoice that does not change the exception: nothing to send.
    const later = await tracker.onChange(eventFor(invoice({ dueDate: "2026-12-20" })));
    expect(later).toEqual([]);
    expect((await tracker.openExceptions(recordKey(inv))).map((e) => e.exception.rule)).toEqual([
      "no_receipt",
    ]);
  });

  it("reads a new invoice's memo, dependents and state and indexes it in one round trip", async () => {
    lookups.put(
      po({}, { receivedQty: "10", receipts: [{ id: "R1", date: "2026-11-15", quantity: "10" }] }),
    );
    await redis.ping(); // connected: the count holds the tracker's trips only
    const trips = countRoundTrips(redis);
    try {
      expect(await tracker.onChange(eventFor(invoice()))).toEqual([]);
      // The three reads with the write to the supplier's index, then the supplier's invoices
      // read (no batch view here): each was a round trip of its own on the page's serial path.
      expect(trips.rounds()).toBe(2);
      // And one command each (trigger-reads.lua; the four calls were eight commands).
      expect(trips.replies()).toBe(2);
    } finally {
      trips.restore();
    }
  });

  it("sends nothing for an invoice that matches, and stores no state for it", async () => {
    lookups.put(
      po({}, { receivedQty: "10", receipts: [{ id: "R1", date: "2026-11-15", quantity: "10" }] }),
    );
    const alerts = await tracker.onChange(eventFor(invoice()));
    expect(alerts).toEqual([]);
    expect(await redis.exists(`${prefix}{mx}:inv:${recordKey(invoice())}`)).toBe(0);
  });

  it("resolves the missing receipt when the PO changes, editing the same message", async () => {
    lookups.put(po());
    const inv = invoice();
    const [opened] = await tracker.onChange(eventFor(inv));
    const received = po(
      {},
      {
        receivedQty: "10",
        receipts: [{ id: "R-77", date: "2026-11-28", quantity: "10" }],
      },
    );
    lookups.put(received);
    const poEvent = eventFor(received);
    const resolved = await tracker.onChange(poEvent);
    expect(kinds(resolved)).toEqual(["exception.resolved:no_receipt"]);
    const r = resolved[0] as Alert;
    expect(r.subject).toBe(opened?.subject);
    expect(r.channel).toBe(opened?.channel);
    expect(r.id).not.toBe(opened?.id);
    expect(r.needsDecision).toBeUndefined();
    const reason = "receipt R-77 arrived for line 1 (10 of 10 received)";
    expect(r.changes).toEqual([{ field: "Status", from: "open", to: `resolved: ${reason}` }]);
    expect(r.exception?.details).toEqual([
      { label: "Resolved", value: reason },
      { label: "Purchase order", value: "4500001 line 10" },
    ]);
    expect(approvals.closed).toEqual([{ approvalId: opened?.needsDecision?.approvalId, reason }]);
    expect(await tracker.openExceptions(recordKey(inv))).toEqual([]);

    // Replayed PO event: the same resolution (delivery dedupes); a later PO change: nothing.
    expect((await newTracker().onChange(poEvent)).map((a) => a.id)).toEqual([r.id]);
    expect(await tracker.onChange(eventFor(po({ buyer: "JD" }, { receivedQty: "10" })))).toEqual(
      [],
    );
    // Nothing open any more: the invoice left the PO's dependents.
    expect(await redis.smembers(`${prefix}{mx}:dep:po:T1:100:4500001`)).toEqual([]);
  });

  it("does not ask the ERP again for a PO the change event carries", async () => {
    lookups.put(po());
    await tracker.onChange(eventFor(invoice()));
    const callsBefore = lookups.calls;
    await tracker.onChange(eventFor(po({}, { receivedQty: "10" })));
    expect(lookups.calls).toBe(callsBefore);
  });

  it("resolves a price variance when the invoice is corrected", async () => {
    lookups.put(po({}, { receivedQty: "10" }));
    const opened = await tracker.onChange(
      eventFor(
        invoice(
          { total: { amount: "55.00", currency: "EUR" } },
          {
            unitPrice: { amount: "5.50", currency: "EUR" },
            amount: { amount: "55.00", currency: "EUR" },
          },
        ),
      ),
    );
    expect(kinds(opened)).toEqual(["exception.opened:price_variance"]);
    expect(opened[0]?.exception?.summary).toContain("5.50 EUR");
    const resolved = await tracker.onChange(eventFor(invoice()));
    expect(kinds(resolved)).toEqual(["exception.resolved:price_variance"]);
    expect(resolved[0]?.subject).toBe(opened[0]?.subject);
    expect(resolved[0]?.changes?.[0]?.to).toBe(
      "resolved: invoice corrected: unit price now 5.00 EUR",
    );
  });

  it("edits an open exception whose numbers changed, keeping its buttons", async () => {
    lookups.put(po({}, { orderedQty: "20" }));
    const [opened] = await tracker.onChange(eventFor(invoice()));
    expect(opened?.exception?.type).toBe("no_receipt");
    // Part of the goods arrive: the exception becomes "above received", a different rule.
    lookups.put(
      po(
        {},
        {
          orderedQty: "20",
          receivedQty: "4",
          receipts: [{ id: "R1", date: "2026-11-25", quantity: "4" }],
        },
      ),
    );
    const next = await tracker.onChange(eventFor(invoice({ dueDate: "2026-12-30" })));
    // One edit of the invoice's message: the new exception opens beside the resolved one.
    expect(next).toHaveLength(1);
    expect(next[0]?.subject).toBe(opened?.subject);
    expect(lineStates(next)).toEqual(["no_receipt:resolved", "quantity_over_received:open"]);
    expect(next[0]?.document?.events.map((e) => e.event).sort()).toEqual(["opened", "resolved"]);
    // Then the invoice quantity changes: the same exception with new numbers is an edit.
    lookups.put(
      po(
        {},
        {
          orderedQty: "20",
          receivedQty: "4",
          receipts: [{ id: "R1", date: "2026-11-25", quantity: "4" }],
        },
      ),
    );
    const before = next.find((a) => a.kind === "exception.opened") as Alert;
    const edited = await tracker.onChange(
      eventFor(
        invoice(
          { total: { amount: "30.00", currency: "EUR" } },
          {
            quantity: "6",
            amount: { amount: "30.00", currency: "EUR" },
          },
        ),
      ),
    );
    expect(lineStates(edited)).toEqual(["no_receipt:resolved", "quantity_over_received:open"]);
    const e = edited[0] as Alert;
    expect(e.subject).toBe(before.subject);
    expect(e.id).not.toBe(before.id);
    expect(e.needsDecision?.approvalId).toBe(before.needsDecision?.approvalId);
    expect(e.document?.events).toHaveLength(1);
    expect(e.document?.events[0]?.event).toBe("changed");
    expect(e.changes?.map((c) => c.field)).toContain("Cause");
  });

  it("asks for a new decision when an exception changes after it was decided", async () => {
    const decided = new Set<string>();
    const t = createExceptionTracker({
      redis,
      prefix,
      lookups,
      matchPolicy,
      routingPolicy,
      createPending: approvals.createPending,
      isApprovalOpen: async (id) => !decided.has(id),
    });
    lookups.put(po({}, { receivedQty: "10" }));
    const priced = (price: string, total: string) =>
      invoice(
        { total: { amount: total, currency: "EUR" } },
        {
          unitPrice: { amount: price, currency: "EUR" },
          amount: { amount: total, currency: "EUR" },
        },
      );
    const [first] = await t.onChange(eventFor(priced("5.50", "55.00")));
    const firstApproval = first?.needsDecision?.approvalId as string;
    // Still pending: an edit keeps the buttons of the same approval.
    const [edit] = await t.onChange(eventFor(priced("5.60", "56.00")));
    expect(edit?.needsDecision?.approvalId).toBe(firstApproval);
    // Someone accepts the variance; then the price changes again: a new decision is needed.
    decided.add(firstApproval);
    const [again] = await t.onChange(eventFor(priced("5.70", "57.00")));
    expect(again?.subject).toBe(first?.subject);
    expect(again?.needsDecision?.approvalId).toBeDefined();
    expect(again?.needsDecision?.approvalId).not.toBe(firstApproval);
    // Two approvals of the one line: the first, then the one the new numbers need.
    expect(approvals.created).toHaveLength(2);
    expect(new Set(approvals.created.map((c) => c.alertId)).size).toBe(2);
  });

  it("gives a re-opened exception a new alert id", async () => {
    lookups.put(po());
    const [first] = await tracker.onChange(eventFor(invoice()));
    lookups.put(po({}, { receivedQty: "10" }));
    await tracker.onChange(eventFor(po({}, { receivedQty: "10" })));
    // The receipt is reversed and the invoice is touched again.
    lookups.put(po());
    const [again] = await tracker.onChange(eventFor(invoice({ dueDate: "2026-12-31" })));
    expect(again?.kind).toBe("exception.opened");
    expect(again?.subject).toBe(first?.subject);
    expect(again?.id).not.toBe(first?.id);
    // The document's third version (opened, resolved, opened again), its line open once more.
    expect(again?.contentVersion.startsWith("d3.")).toBe(true);
    expect(lineStates([again as Alert])).toEqual(["no_receipt:open"]);
    expect(again?.needsDecision?.approvalId).not.toBe(first?.needsDecision?.approvalId);
  });

  it("detects a duplicate across invoices and resolves it when the other is cancelled", async () => {
    lookups.put(po({}, { orderedQty: "20", receivedQty: "20" }));
    const a = invoice();
    expect(await tracker.onChange(eventFor(a))).toEqual([]);
    const b = invoice({ invoiceNumber: "inv 0001", invoiceDate: "2026-11-22" }, { line: 1 });
    const opened = await tracker.onChange(eventFor(b));
    expect(kinds(opened)).toEqual(["exception.opened:duplicate_number"]);
    expect(opened[0]?.exception?.summary).toContain("INV-1");
    const cancelled = await tracker.onChange(eventFor(invoice({ status: "cancelled" })));
    expect(kinds(cancelled)).toEqual(["exception.resolved:duplicate_number"]);
    expect(cancelled[0]?.subject).toBe(opened[0]?.subject);
    expect(cancelled[0]?.changes?.[0]?.to).toBe("resolved: invoice INV-1 was cancelled");
  });

  it("finds a duplicate the bot never saw through the ERP lookup", async () => {
    lookups.put(po({}, { orderedQty: "20", receivedQty: "20" }));
    lookups.erpInvoices = [invoice({ division: "BBB", status: "posted" })];
    const alerts = await tracker.onChange(eventFor(invoice()));
    expect(kinds(alerts)).toEqual(["exception.opened:duplicate_number"]);
  });

  it("leaves an invoice alone while its PO fails validation", async () => {
    lookups.invalidPos.add("4500001");
    expect(await tracker.onChange(eventFor(invoice()))).toEqual([]);
    expect(await tracker.openExceptions(recordKey(invoice()))).toEqual([]);
  });

  it("posts a missing PO, then resolves it when the PO appears", async () => {
    const [opened] = await tracker.onChange(eventFor(invoice({ costCenter: "CC200" })));
    expect(opened?.exception?.type).toBe("po_not_found");
    expect(opened?.channel).toBe("C200");
    const created = po({}, { receivedQty: "10" });
    lookups.put(created);
    const resolved = await tracker.onChange(eventFor(created));
    expect(kinds(resolved)).toEqual(["exception.resolved:po_not_found"]);
    expect(resolved[0]?.channel).toBe("C200");
  });

  it("shadow mode computes alerts but stores nothing and creates no approval", async () => {
    lookups.put(po());
    const event = eventFor(invoice());
    const alerts = await tracker.onChange(event, { shadow: true });
    expect(kinds(alerts)).toEqual(["exception.opened:no_receipt"]);
    expect(alerts[0]?.needsDecision).toBeUndefined();
    expect(approvals.created).toEqual([]);
    expect(await tracker.openExceptions(recordKey(invoice()))).toEqual([]);
  });

  it("two evaluations of the same invoice at once open it once", async () => {
    lookups.put(po());
    const inv = invoice();
    const other = newTracker();
    const [x, y] = await Promise.all([
      tracker.onChange(eventFor(inv)),
      other.onChange(eventFor(invoice({ dueDate: "2026-12-24" }))),
    ]);
    const opened = [...x, ...y].filter((a) => a.kind === "exception.opened");
    expect(new Set(opened.map((a) => a.id)).size).toBe(1);
    expect(await tracker.openExceptions(recordKey(inv))).toHaveLength(1);
  });

  it("a commit that landed but whose reply was lost and was sent again keeps its alerts", async () => {
    // ioredis sends a command again after a dropped connection (a Redis restart) when its reply
    // never came, although Redis may have run it: here the commit script runs twice.
    let resent = false;
    const flaky = new Proxy(redis, {
      get(target, prop) {
        if (prop === "evalsha" || prop === "eval") {
          const run = Reflect.get(target, prop, target) as (...a: unknown[]) => Promise<unknown>;
          return async (...args: unknown[]) => {
            const first = await run.apply(target, args);
            if (resent) return first;
            resent = true;
            return run.apply(target, args);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const resending = createExceptionTracker({
      redis: flaky,
      prefix,
      lookups,
      matchPolicy,
      routingPolicy,
      createPending: approvals.createPending,
      closeApproval: approvals.closeApproval,
      clock: () => new Date("2026-12-01T08:00:00Z"),
    });
    lookups.put(po());
    const inv = invoice();
    const event = eventFor(inv);
    const first = await resending.onChange(event);
    expect(resent).toBe(true);
    expect(kinds(first)).toEqual(["exception.opened:no_receipt"]);
    // Killed before the alert was stored: the re-read of the same version gets the same alert.
    const replay = await newTracker().onChange(event);
    expect(replay.map((a) => a.id)).toEqual(first.map((a) => a.id));
    expect(await tracker.openExceptions(recordKey(inv))).toHaveLength(1);
  });

  it("the same record version evaluated twice at once yields the same alerts to both", async () => {
    lookups.put(po());
    const event = eventFor(invoice());
    const [x, y] = await Promise.all([tracker.onChange(event), newTracker().onChange(event)]);
    expect(kinds(x)).toEqual(["exception.opened:no_receipt"]);
    expect(y.map((a) => a.id)).toEqual(x.map((a) => a.id));
    // Whichever worker is killed before storing them, the replay still has them.
    expect((await newTracker().onChange(event)).map((a) => a.id)).toEqual(x.map((a) => a.id));
  });

  it("the recheck sweep resolves a missing receipt no PO event reported", async () => {
    lookups.put(po());
    const [opened] = await tracker.onChange(eventFor(invoice()));
    // Nothing changed yet: the sweep sends nothing.
    const none: Alert[] = [];
    expect(await tracker.recheckOpen(async (a) => void none.push(...a))).toEqual({
      checked: 1,
      alerts: 0,
    });
    expect(none).toEqual([]);

    lookups.put(
      po({}, { receivedQty: "10", receipts: [{ id: "R9", date: "2026-11-29", quantity: "10" }] }),
    );
    // The process dies inside emit (before the alerts were stored): nothing is committed...
    await expect(
      tracker.recheckOpen(async () => {
        throw new Error("enqueue failed");
      }),
    ).rejects.toThrow("enqueue failed");
    expect(await tracker.openExceptions(recordKey(invoice()))).toHaveLength(1);
    // ...so the next run sends the same resolution.
    const sent: Alert[] = [];
    expect(await tracker.recheckOpen(async (a) => void sent.push(...a))).toEqual({
      checked: 1,
      alerts: 1,
    });
    expect(kinds(sent)).toEqual(["exception.resolved:no_receipt"]);
    expect(sent[0]?.subject).toBe(opened?.subject);
    expect(sent[0]?.changes?.[0]?.to).toContain("receipt R9 arrived");
    expect(approvals.closed).toHaveLength(1);
    // Resolved: no longer swept.
    expect(await tracker.recheckOpen(async () => {}, { limit: 10 })).toEqual({
      checked: 0,
      alerts: 0,
    });
  });

  it("forgets an invoice whose state expired from the indexes that still name it", async () => {
    lookups.put(po());
    await tracker.onChange(eventFor(invoice()));
    const depKey = `${prefix}{mx}:dep:po:T1:100:4500001`;
    expect(await redis.smembers(depKey)).toEqual([recordKey(invoice())]);
    await redis.del(`${prefix}{mx}:inv:${recordKey(invoice())}`);
    expect(await tracker.onChange(eventFor(po({}, { receivedQty: "10" })))).toEqual([]);
    expect(await redis.smembers(depKey)).toEqual([]);
    expect(await tracker.recheckOpen(async () => {})).toEqual({ checked: 1, alerts: 0 });
    expect(await redis.smembers(`${prefix}{mx}:dep:open`)).toEqual([]);
  });

  it("ignores entities that cannot affect a match", async () => {
    const supplier = {
      entity: "supplier" as const,
      tenant: "T1",
      company: "100",
      division: "",
      source: "m3" as const,
      changedAt: "2026-11-30",
      id: "S100",
      name: "Acme",
      status: "20",
      blocked: false,
    };
    expect(await tracker.onChange(eventFor(supplier))).toEqual([]);
  });
});
