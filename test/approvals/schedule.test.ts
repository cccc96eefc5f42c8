import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApprovalSchedule, dueStep, nextDueAt } from "../../src/approvals/schedule.ts";
import { createApprovalStore } from "../../src/approvals/store.ts";
import { runApprovalSweep } from "../../src/approvals/sweep.ts";
import type { Approval, ApprovalAuditEvent } from "../../src/approvals/types.ts";

const H = 3_600_000;
const schedule: ApprovalSchedule = {
  remindAfterHours: 4,
  escalateAfterHours: 24,
  expireAfterHours: 72,
};
const base: Approval = {
  id: "apv_1",
  alertId: "a",
  recordKey: "k",
  kind: "invoice",
  title: "t",
  amount: { amount: "1", currency: "EUR" },
  costCenter: "100",
  tenant: "T",
  company: "1",
  recordVersion: "v",
  state: "pending",
  createdAt: "2026-12-01T00:00:00.000Z",
};
const t0 = Date.parse(base.createdAt);

describe("dueStep", () => {
  it.each([
    [1, {}, undefined],
    [5, {}, "remind"],
    [5, { remindedAt: "x" }, undefined],
    [25, { remindedAt: "x" }, "escalate"],
    [25, { remindedAt: "x", state: "escalated" }, undefined],
    [80, {}, "expire"],
    [80, { state: "approved" }, undefined],
    // Waiting for someone's answer: the approvers are neither reminded nor escalated; it expires.
    [5, { state: "info_requested" }, undefined],
    [25, { state: "info_requested" }, undefined],
    [80, { state: "info_requested" }, "expire"],
  ] as const)("after %i h with %j → %s", (hours, over, step) => {
    expect(dueStep({ ...base, ...over } as Approval, schedule, t0 + hours * H)).toBe(step);
  });

  it("turns steps off when not configured and names the next due time", () => {
    expect(dueStep(base, {}, t0 + 1000 * H)).toBeUndefined();
    expect(nextDueAt(base, schedule)).toBe(t0 + 4 * H);
    expect(nextDueAt({ ...base, remindedAt: "x" }, schedule)).toBe(t0 + 24 * H);
  });
});

describe("runApprovalSweep (real Redis)", () => {
  const prefix = `test:approvals-sweep:${randomBytes(4).toString("hex")}:`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it("reminds, escalates and expires once even with two sweepers at once", async () => {
    let now = t0;
    const store = createApprovalStore({ redis, prefix, clock: () => now });
    const { approval } = await store.create({ ...base, alertId: "sweep-1" });
    const seen: string[] = [];
    const audit: ApprovalAuditEvent[] = [];
    const deps = {
      store,
      schedule,
      clock: () => now,
      audit: (e: ApprovalAuditEvent) => {
        audit.push(e);
      },
      notify: {
        remind: async (a: Approval) => void seen.push(`remind:${a.id}`),
        escalate: async (a: Approval) => void seen.push(`escalate:${a.state}`),
        expire: async (a: Approval) => void seen.push(`expire:${a.state}`),
      },
    };
    now = t0 + 5 * H;
    await Promise.all([runApprovalSweep(deps), runApprovalSweep(deps)]);
    now = t0 + 30 * H;
    await Promise.all([runApprovalSweep(deps), runApprovalSweep(deps)]);
    now = t0 + 73 * H;
    await Promise.all([runApprovalSweep(deps), runApprovalSweep(deps)]);
    expect(seen).toEqual([`remind:${approval.id}`, "escalate:escalated", "expire:expired"]);
    expect((await store.get(approval.id))?.state).toBe("expired");
    expect(audit.map((e) => e.type)).toEqual([
      "approval.reminded",
      "approval.escalated",
      "approval.expired",
    ]);
  });
});
