import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import { createApprovalStore } from "../../src/approvals/store.ts";
import type { ApprovalSubject } from "../../src/approvals/types.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { connectTestRedis, testPrefix } from "../support/redis.ts";

const prefix = testPrefix(`test:approvals-store:${randomBytes(4).toString("hex")}`);
let redis: RedisClient;

const subject = (alertId: string): ApprovalSubject => ({
  alertId,
  recordKey: `supplier_invoice:T:100:AAA:S1/${alertId}`,
  kind: "invoice",
  title: `Invoice ${alertId}`,
  amount: { amount: "1250.00", currency: "EUR" },
  costCenter: "CC10",
  tenant: "T",
  company: "100",
  recordVersion: "v1",
});

beforeAll(() => {
  redis = connectTestRedis();
});
afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await redis.quit();
});

describe("approval store and the Lua transition", () => {
  it("lists every approval of a record, newest first (an invoice's exceptions each have one)", async () => {
    let now = 1_000;
    const store = createApprovalStore({ redis, prefix, clock: () => now });
    const invoiceKey = "supplier_invoice:T:100:AAA:S1/MULTI";
    expect(await store.forRecord(invoiceKey)).toEqual([]);
    const a = (await store.create({ ...subject("R1"), recordKey: invoiceKey })).approval;
    now += 1_000;
    const b = (await store.create({ ...subject("R2"), recordKey: invoiceKey })).approval;
    await store.create({ ...subject("R1"), recordKey: invoiceKey }); // a repeat adds nothing
    expect((await store.forRecord(invoiceKey)).map((x) => x.id)).toEqual([b.id, a.id]);
    expect((await store.forRecord(invoiceKey, 1)).map((x) => x.id)).toEqual([b.id]);
  });

  it("finds the approval last attached to a message (a changed exception's new one wins)", async () => {
    const store = createApprovalStore({ redis, prefix });
    const first = (await store.create(subject("M1"))).approval;
    const second = (await store.create(subject("M2"))).approval;
    expect(await store.forMessage("C1", "1.000100")).toBeUndefined();
    await store.attachMessage(first.id, "C1", "1.000100");
    expect((await store.forMessage("C1", "1.000100"))?.id).toBe(first.id);
    await store.attachMessage(second.id, "C1", "1.000100");
    expect((await store.forMessage("C1", "1.000100"))?.id).toBe(second.id);
    // Unknown approvals leave no index behind.
    await store.attachMessage("apv_missing", "C1", "2.000200");
    expect(await store.forMessage("C1", "2.000200")).toBeUndefined();
  });

  it("creates once per alert", async () => {
    const store = createApprovalStore({ redis, prefix });
    const a = await store.create(subject("A1"));
    const b = await store.create({ ...subject("A1"), title: "changed" });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.approval.id).toBe(a.approval.id);
    expect(b.approval.title).toBe("Invoice A1");
    expect(b.approval.state).toBe("pending");
  });

  it("lets exactly one of many concurrent decisions through", async () => {
    const store = createApprovalStore({ redis, prefix });
    const { approval } = await store.create(subject("A2"));
    const actors = ["U1", "U2", "U3", "U4", "U5", "U6"];
    const results = await Promise.all(
      actors.map((u, i) =>
        store.transition(approval.id, i % 2 === 0 ? "approve" : "reject", u, "because"),
      ),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const winner = winners[0];
    if (!winner?.ok) throw new Error("no winner");
    for (const r of results.filter((x) => !x.ok)) {
      expect(r).toMatchObject({
        ok: false,
        code: "not_allowed",
        state: winner.approval.state,
        by: winner.approval.decidedBy,
        at: winner.approval.decidedAt,
      });
    }
    expect(await store.listOpen()).not.toContainEqual(expect.objectContaining({ id: approval.id }));
    // Decided approvals are kept for a while (90 days by default), not forever.
    const ttl = await redis.ttl(`${prefix}approval:${approval.id}`);
    expect(ttl).toBeGreaterThan(89 * 86_400);
    expect(ttl).toBeLessThanOrEqual(90 * 86_400);
    const recent = await store.recentDecisions(winner.approval.decidedBy ?? "");
    expect(recent.map((r) => r.id)).toEqual([approval.id]);
  });

  it("keeps hold and escalated open and refuses unknown ids", async () => {
    const store = createApprovalStore({ redis, prefix });
    const { approval } = await store.create(subject("A3"));
    expect((await store.transition(approval.id, "hold", "U1")).ok).toBe(true);
    expect((await store.transition(approval.id, "hold", "U2")).ok).toBe(false);
    expect((await store.transition(approval.id, "escalate", "system")).ok).toBe(true);
    expect((await store.listOpen()).map((a) => a.id)).toContain(approval.id);
    const done = await store.transition(approval.id, "approve", "U3");
    expect(done).toMatchObject({ ok: true, approval: { state: "approved", decidedBy: "U3" } });
    expect(await store.transition("apv_missing", "approve", "U1")).toEqual({
      ok: false,
      code: "not_found",
    });
  });

  it("marks a reminder once across callers", async () => {
    const store = createApprovalStore({ redis, prefix });
    const { approval } = await store.create(subject("A4"));
    const marks = await Promise.all([1, 2, 3].map(() => store.markReminded(approval.id)));
    expect(marks.filter(Boolean)).toHaveLength(1);
  });

  it("keeps stamped words only for the transition they were written for", async () => {
    let now = Date.parse("2026-12-01T09:00:00Z");
    const store = createApprovalStore({ redis, prefix, clock: () => now });
    const { approval } = await store.create(subject("ST1"));
    const held = await store.transition(approval.id, "hold", "U1");
    if (!held.ok) throw new Error(held.code);
    const words = ["On hold by <@U1>", "waiting for the credit note"];
    await store.setStamp(approval.id, {
      state: "hold",
      at: held.approval.decidedAt ?? "",
      lines: words,
    });
    expect((await store.get(approval.id))?.stamp).toEqual(words);
    // Written for another moment (a late writer of an older hold): not shown.
    await store.setStamp(approval.id, {
      state: "hold",
      at: "2026-11-30T00:00:00Z",
      lines: ["old"],
    });
    expect((await store.get(approval.id))?.stamp).toBeUndefined();
    await store.setStamp(approval.id, {
      state: "hold",
      at: held.approval.decidedAt ?? "",
      lines: words,
    });
    // The approval moves on: the hold's words no longer apply.
    now += 60_000;
    const approved = await store.transition(approval.id, "approve", "U2");
    if (!approved.ok) throw new Error(approved.code);
    expect((await store.get(approval.id))?.stamp).toBeUndefined();
    // A missing approval gets no husk.
    await store.setStamp("apv_missing", { state: "approved", at: "x", lines: ["x"] });
    expect(await redis.exists(`${prefix}approval:apv_missing`)).toBe(0);
  });
});
