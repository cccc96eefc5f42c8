import { type FetchFunction, WebClient } from "@slack/web-api";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { startErpReflection } from "../../src/app/erp-approvals.ts";
import {
  isReflectable,
  markReflectDue,
  reflectDueKey,
  waitReflectDue,
} from "../../src/approvals/erp-due.ts";
import { startReflectDueConsumer } from "../../src/approvals/erp-due-consumer.ts";
import { reflectRecords } from "../../src/approvals/erp-reflect.ts";
import type { ErpAdapter, ErpState } from "../../src/approvals/erp-types.ts";
import type { ErpIntent, ErpWriter } from "../../src/approvals/erp-write-back.ts";
import { createApprovalStore } from "../../src/approvals/store.ts";
import type { Approval, ApprovalSubject } from "../../src/approvals/types.ts";
import { fileRedis } from "../sync/helpers.ts";

// A decision taken in M3 is checked on the record's own change (a poll's "updated" or an M3
// event), reading only that record's approvals, instead of waiting for a pass over all of them.
// Swept and quit after the file.
const { redis, prefix, connection } = fileRedis("erp-reflect-due");

const key = (inbn: number) => `supplier_invoice:T:100:AAA:${inbn}`;
const subject = (inbn: number): ApprovalSubject => ({
  alertId: `a-${inbn}`,
  recordKey: key(inbn),
  kind: "invoice",
  title: `batch ${inbn}`,
  amount: { amount: "100.00", currency: "EUR" },
  costCenter: "100",
  tenant: "T",
  company: "100",
  recordVersion: "v1",
});

/** M3 as a map of batch → state; counts the reads each approval costs. */
function fakeM3(states: Map<string, ErpState>) {
  const reads: string[] = [];
  const adapter: ErpAdapter = {
    async routeFor(a: Approval) {
      reads.push(a.recordKey);
      return {
        ok: true,
        route: {
          name: "APS450MI",
          unsupported: () => undefined,
          describe: () => ({ program: "APS450MI", transaction: "ApproveInvoice", inputs: {} }),
          state: async () => states.get(a.recordKey) ?? { status: "pending" },
          apply: async () => {},
          refusal: () => undefined,
          ambiguous: () => false,
        },
      };
    },
  };
  return { adapter, reads };
}

const noIntent = { intent: async () => undefined } as unknown as ErpWriter;

describe("decided-in-M3 check on the record's own change", () => {
  it("only the changed record's open approval is read, and it closes with who decided", async () => {
    const store = createApprovalStore({ redis, prefix });
    const created = [];
    for (let inbn = 1; inbn <= 30; inbn++) created.push(await store.create(subject(inbn)));
    const states = new Map<string, ErpState>([[key(7), { status: "approved", by: "M3USER" }]]);
    const { adapter, reads } = fakeM3(states);
    const lines: string[] = [];

    // A poll saw batch 7 change (SUPA 30 → 50): sync marks it due, reflection takes it.
    expect(isReflectable({ kind: "updated", recordKey: key(7) })).toBe(true);
    expect(isReflectable({ kind: "new", recordKey: key(7) })).toBe(false);
    expect(isReflectable({ kind: "updated", recordKey: "purchase_order:T:100:AAA:1" })).toBe(false);
    await markReflectDue(redis, prefix, key(7), 1_000);
    await markReflectDue(redis, prefix, key(7), 2_000);
    expect(await redis.ttl(reflectDueKey(prefix))).toBeGreaterThan(0);
    const blocking = connection();
    const taken = await waitReflectDue(blocking, prefix, 1);
    expect(taken).toBe(key(7));
    const due = [taken ?? ""];
    expect(await redis.zcard(reflectDueKey(prefix))).toBe(0);

    const report = await reflectRecords(
      {
        store,
        writer: noIntent,
        adapterFor: () => adapter,
        modeFor: () => "on",
        audit: () => {},
        onChanged: async (a, line) => {
          lines.push(
            `${a.recordKey}:${line.kind}:${line.kind === "decided_in_erp" ? line.detail : ""}`,
          );
        },
      },
      due,
    );
    expect(reads).toEqual([key(7)]);
    expect(report).toMatchObject({ checked: 1, decidedInErp: 1 });
    expect(lines).toEqual([`${key(7)}:decided_in_erp:decided in M3 by M3USER`]);
    const seven = created[6]?.approval.id ?? "";
    expect((await store.get(seven))?.state).toBe("superseded");
    expect((await store.get(created[0]?.approval.id ?? ""))?.state).toBe("pending");

    // A second change of the same record: the approval is closed, M3 is not read again.
    await reflectRecords(
      {
        store,
        writer: noIntent,
        adapterFor: () => adapter,
        modeFor: () => "on",
        audit: () => {},
        onChanged: async () => {},
      },
      [key(7)],
    );
    expect(reads).toEqual([key(7)]);
  });

  /** An invoice in M3's flow: whole-invoice state, and which lines M3 shows approved. */
  function flowM3(invoice: ErpState, approvedLines: number[]) {
    const adapter: ErpAdapter = {
      async routeFor() {
        return {
          ok: true,
          route: {
            name: "CMS740MI",
            unsupported: () => undefined,
            describe: () => ({ program: "CMS740MI", transaction: "ApproveInvoice", inputs: {} }),
            state: async (d) =>
              d?.verb === "approve_line"
                ? { status: approvedLines.includes(d.line ?? -1) ? "approved" : "pending" }
                : invoice,
            apply: async () => {},
            refusal: () => undefined,
            ambiguous: () => false,
          },
        };
      },
    };
    return adapter;
  }
  const intentsOf = (m: Map<string, Partial<ErpIntent>>) =>
    ({ intent: async (id: string) => m.get(id) }) as unknown as ErpWriter;
  const lineOf = (inbn: number, line: number): ApprovalSubject => ({
    ...subject(inbn),
    alertId: `a-${inbn}-${line}`,
    kind: "exception",
    line,
  });

  it("our own line approval whose answer was lost: completed as the clicker's, also when it approved the invoice", async () => {
    const store = createApprovalStore({ redis, prefix: `${prefix}line-ours:` });
    const one = (await store.create(lineOf(51, 1))).approval;
    const two = (await store.create(lineOf(51, 2))).approval;
    // Line 2 was the last one: M3 approved the invoice with it (CMS742MI), our answer was lost.
    const writer = intentsOf(
      new Map([[`${two.id}:line:2`, { verb: "approve_line", actor: "U0CLICKER1", reason: "" }]]),
    );
    const report = await reflectRecords(
      {
        store,
        writer,
        adapterFor: () => flowM3({ status: "approved" }, [1, 2]),
        modeFor: () => "on",
        audit: () => {},
        onChanged: async () => {},
      },
      [key(51)],
    );
    expect(report).toMatchObject({ completed: 1, decidedInErp: 1 });
    expect(await store.get(two.id)).toMatchObject({ state: "approved", decidedBy: "U0CLICKER1" });
    // Line 1 was approved by someone in M3: decided there.
    expect((await store.get(one.id))?.state).toBe("superseded");
  });

  it("'Approve all' whose answer was lost: the invoice-level intent is ours for every line", async () => {
    const store = createApprovalStore({ redis, prefix: `${prefix}all-ours:` });
    const one = (await store.create(lineOf(52, 1))).approval;
    const two = (await store.create(lineOf(52, 2))).approval;
    // decide-document keeps the invoice's intent under the first open line's id only.
    const writer = intentsOf(
      new Map([[one.id, { verb: "approve", actor: "U0CLICKER2", reason: "" }]]),
    );
    const report = await reflectRecords(
      {
        store,
        writer,
        adapterFor: () => flowM3({ status: "approved" }, []),
        modeFor: () => "on",
        audit: () => {},
        onChanged: async () => {},
      },
      [key(52)],
    );
    expect(report).toMatchObject({ completed: 2, decidedInErp: 0 });
    expect(await store.get(one.id)).toMatchObject({ state: "approved", decidedBy: "U0CLICKER2" });
    expect(await store.get(two.id)).toMatchObject({ state: "approved", decidedBy: "U0CLICKER2" });
  });

  it("tenants with write-back off are not read", async () => {
    const store = createApprovalStore({ redis, prefix: `${prefix}off:` });
    await store.create(subject(99));
    const { adapter, reads } = fakeM3(new Map([[key(99), { status: "approved" }]]));
    const report = await reflectRecords(
      {
        store,
        writer: noIntent,
        adapterFor: () => adapter,
        modeFor: () => "off",
        audit: () => {},
        onChanged: async () => {},
      },
      [key(99)],
    );
    expect(reads).toEqual([]);
    expect(report.checked).toBe(0);
  });

  it("the consumer takes a record the moment it is marked, and a slow one holds no other", async () => {
    const p = `${prefix}consumer:`;
    const started: string[] = [];
    let releaseSlow: () => void = () => {};
    const slow = new Promise<void>((r) => {
      releaseSlow = r;
    });
    const consumer = startReflectDueConsumer({
      blocking: connection(),
      prefix: p,
      concurrency: 4,
      // A wait far longer than the test: only the mark itself can wake the consumer.
      waitSeconds: 30,
      reflect: async (recordKey) => {
        started.push(recordKey);
        if (recordKey === key(1)) await slow;
      },
      onError: (err) => {
        throw err;
      },
    });
    await markReflectDue(redis, p, key(1));
    await expect.poll(() => started, { timeout: 5_000, interval: 10 }).toEqual([key(1)]);
    await markReflectDue(redis, p, key(2));
    await expect.poll(() => started, { timeout: 5_000, interval: 10 }).toEqual([key(1), key(2)]);
    // stop() waits for the record still being checked.
    let stopped = false;
    const stopping = consumer.stop().then(() => {
      stopped = true;
    });
    await markReflectDue(redis, p, key(3));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    releaseSlow();
    await stopping;
    expect(stopped).toBe(true);
    // The record marked while stopping was taken, so it was checked, not dropped.
    expect(started).toEqual([key(1), key(2), key(3)]);
  });
  it("a decision's Slack edit holds no check slot: the next record is read while it waits", async () => {
    // One slot: the edit of batch 11 waits (Slack's budget, here a held chat.update) while batch
    // 12 is marked; its M3 read must not wait for that edit (chaos --approvals: records waited
    // for a slot held by edits, marked → taken p95 1.9 s with the product's 8 slots).
    const p = `${prefix}lane:`;
    const store = createApprovalStore({ redis, prefix: p });
    for (const inbn of [11, 12]) {
      const { approval } = await store.create(subject(inbn));
      await store.attachMessage(approval.id, "C0LANE0001", `1700000000.0000${inbn}`);
    }
    const { adapter, reads } = fakeM3(
      new Map([
        [key(11), { status: "approved" }],
        [key(12), { status: "rejected" }],
      ]),
    );
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const updates: string[] = [];
    const slack: FetchFunction = async (url, init) => {
      const method = String(url).slice(String(url).lastIndexOf("/") + 1);
      if (method === "chat.update") {
        updates.push(new URLSearchParams(String(init?.body ?? "")).get("ts") ?? "");
        if (updates.length === 1) await held;
      }
      const body = method === "conversations.history" ? { ok: true, messages: [] } : { ok: true };
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { "content-type": "application/json" },
      }) as never;
    };
    const stop = startErpReflection({
      store,
      writer: noIntent,
      adapterFor: () => adapter,
      modeFor: () => "on",
      audit: () => {},
      client: new WebClient("xoxb-test", {
        slackApiUrl: "http://127.0.0.1:9/api/",
        fetch: slack,
        retryConfig: { retries: 0 },
      }),
      logger: pino({ level: "silent" }),
      everyMs: 600_000,
      concurrency: 1,
      redis,
      prefix: p,
    });
    try {
      await markReflectDue(redis, p, key(11));
      await expect.poll(() => updates.length, { timeout: 5_000, interval: 10 }).toBe(1);
      await markReflectDue(redis, p, key(12));
      await expect.poll(() => reads, { timeout: 3_000, interval: 10 }).toEqual([key(11), key(12)]);
    } finally {
      release();
      await stop();
    }
    expect(updates).toHaveLength(2);
    const states = await Promise.all([11, 12].map((n) => store.forRecord(key(n))));
    expect(states.map((list) => list[0]?.state)).toEqual(["superseded", "superseded"]);
  });
});
