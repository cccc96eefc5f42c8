import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import { type DecisionDeps, decide } from "../../src/approvals/decide.ts";
import { erpUserMapping, scheduleFromRouting } from "../../src/approvals/routing-adapters.ts";
import { createApprovalStore } from "../../src/approvals/store.ts";
import type { Approval, ApprovalAuditEvent, ApprovalSubject } from "../../src/approvals/types.ts";
import { createUserGroupResolver } from "../../src/approvals/usergroups.ts";
import type { WriteBackSink } from "../../src/approvals/write-back.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { connectTestRedis, testPrefix } from "../support/redis.ts";

const prefix = testPrefix(`test:approvals-decide:${randomBytes(4).toString("hex")}`);
let redis: RedisClient;
beforeAll(() => {
  redis = connectTestRedis();
});
afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await redis.quit();
});

const subject = (alertId: string, over: Partial<ApprovalSubject> = {}): ApprovalSubject => ({
  alertId,
  recordKey: `k:${alertId}`,
  kind: "invoice",
  title: alertId,
  amount: { amount: "100.00", currency: "EUR" },
  costCenter: "100",
  tenant: "T",
  company: "1",
  recordVersion: "v1",
  ...over,
});

function deps(over: Partial<DecisionDeps> = {}): DecisionDeps & { events: ApprovalAuditEvent[] } {
  const events: ApprovalAuditEvent[] = [];
  return {
    store: createApprovalStore({ redis, prefix }),
    policy: {
      authorize: async (u) =>
        u.startsWith("UA")
          ? { allowed: true }
          : { allowed: false, code: "not_an_approver", message: "no" },
    },
    recheck: async () => ({ changed: false }),
    audit: (e) => {
      events.push(e);
    },
    events,
    ...over,
  };
}

describe("decide", () => {
  it("a rejection without a reason never reaches the store", async () => {
    const d = deps();
    const { approval } = await d.store.create(subject("d1"));
    expect(
      await decide(d, { approvalId: approval.id, verb: "reject", actor: "UA1", reason: "  " }),
    ).toEqual({ kind: "reason_required" });
    expect((await d.store.get(approval.id))?.state).toBe("pending");
  });

  it("when the ERP cannot be read, nothing is decided", async () => {
    const d = deps({
      recheck: async () =>
        Promise.reject(Object.assign(new Error("down"), { code: "ion_unavailable" })),
    });
    const { approval } = await d.store.create(subject("d2"));
    expect((await decide(d, { approvalId: approval.id, verb: "approve", actor: "UA1" })).kind).toBe(
      "recheck_failed",
    );
    expect((await d.store.get(approval.id))?.state).toBe("pending");
  });

  it("segregation of duties through the ERP user mapping", async () => {
    const d = deps({ erpUserFor: async (u) => (u === "UA9" ? "jdoe" : undefined) });
    const { approval } = await d.store.create(subject("d3", { enteredBy: "JDOE" }));
    const out = await decide(d, { approvalId: approval.id, verb: "approve", actor: "UA9" });
    expect(out).toMatchObject({ kind: "refused", code: "segregation_of_duties" });
    expect(d.events).toContainEqual(
      expect.objectContaining({ type: "approval.refused", code: "segregation_of_duties" }),
    );
  });

  it("write-back queries before it writes, so a retry never writes twice", async () => {
    const written = new Set<string>();
    let writes = 0;
    const sink: WriteBackSink = {
      alreadyRecorded: async (a: Approval) => written.has(a.recordKey),
      write: async (a: Approval) => {
        writes++;
        written.add(a.recordKey);
      },
    };
    const d = deps({ writeBack: sink });
    const { approval } = await d.store.create(subject("d4"));
    const out = await decide(d, { approvalId: approval.id, verb: "approve", actor: "UA1" });
    expect(out).toMatchObject({ kind: "done", writeBack: { status: "written" } });
    // A second instance of the same record (e.g. re-created after a replay) finds it recorded.
    const again = await d.store.create(subject("d4-replay", { recordKey: approval.recordKey }));
    const out2 = await decide(d, { approvalId: again.approval.id, verb: "approve", actor: "UA2" });
    expect(out2).toMatchObject({ kind: "done", writeBack: { status: "already_recorded" } });
    expect(writes).toBe(1);
  });

  it("a failing write-back keeps the decision and reports the code", async () => {
    const d = deps({
      writeBack: {
        alreadyRecorded: async () => false,
        write: async () => Promise.reject(Object.assign(new Error("x"), { code: "m3_nok" })),
      },
    });
    const { approval } = await d.store.create(subject("d5"));
    const out = await decide(d, { approvalId: approval.id, verb: "approve", actor: "UA1" });
    expect(out).toMatchObject({ kind: "done", writeBack: { status: "failed", code: "m3_nok" } });
    expect((await d.store.get(approval.id))?.state).toBe("approved");
  });
});

describe("routing adapters", () => {
  it("maps ERP users to Slack users both ways, ignoring case", async () => {
    const m = erpUserMapping({ jdoe: "U0CLERK001" });
    expect(m.slackUserFor("JDOE")).toBe("U0CLERK001");
    expect(await m.erpUserFor("U0CLERK001")).toBe("JDOE");
    expect(m.slackUserFor(undefined)).toBeUndefined();
    expect(scheduleFromRouting({ reminderHours: 24, expireHours: 168 })).toEqual({
      remindAfterHours: 24,
      expireAfterHours: 168,
    });
  });
});

describe("user group resolver", () => {
  it("asks Slack once per group and TTL, shared through Redis", async () => {
    let calls = 0;
    const client = {
      usergroups: {
        users: {
          list: async () => {
            calls++;
            return { ok: true, users: ["U1", "U2"] };
          },
        },
      },
    };
    const a = createUserGroupResolver({ client, redis, prefix });
    const b = createUserGroupResolver({ client, redis, prefix });
    expect((await a.members("S1")).has("U2")).toBe(true);
    expect((await b.members("S1")).has("U1")).toBe(true);
    expect(calls).toBe(1);
  });
});
