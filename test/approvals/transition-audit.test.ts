import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import { type DecisionDeps, decide } from "../../src/approvals/decide.ts";
import { closeAsDecidedInErp } from "../../src/approvals/erp-decide.ts";
import { createApprovalStore } from "../../src/approvals/store.ts";
import type { ApprovalSubject } from "../../src/approvals/types.ts";
import { AuditLog } from "../../src/audit/log.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { auditInputOf, slackAuditToLog } from "../../src/slack/audit-sink.ts";
import { connectTestRedis, testPrefix } from "../support/redis.ts";

// A worker SIGKILLed right after the approval's state moved left a decision without its
// approval.decided entry (chaos --approvals, invoice 1000075). The entry now lands with the move.
const prefix = testPrefix(`test:approvals-transition-audit:${randomBytes(4).toString("hex")}`);
let redis: RedisClient;
let log: AuditLog;
beforeAll(() => {
  redis = connectTestRedis();
  log = new AuditLog({ redis, prefix });
});
afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await redis.quit();
});

const subject = (alertId: string): ApprovalSubject => ({
  alertId,
  recordKey: `supplier_invoice:T:1:AAA:${alertId}`,
  kind: "invoice",
  title: alertId,
  amount: { amount: "100.00", currency: "EUR" },
  costCenter: "100",
  tenant: "T",
  company: "1",
  recordVersion: "v1",
});

/** A process that dies at its first audit append after the transition: nothing else runs. */
class Killed extends Error {}

function killedDeps(): DecisionDeps {
  return {
    store: createApprovalStore({
      redis,
      prefix,
      prepareAudit: (e) => log.prepare(auditInputOf(e)),
    }),
    policy: { authorize: async () => ({ allowed: true }) },
    recheck: async () => ({ changed: false }),
    audit: () => {
      throw new Killed("SIGKILL");
    },
  };
}

describe("approval transition and its audit entry in one step", () => {
  it("a worker killed right after the decision leaves the approval.decided entry behind", async () => {
    const d = killedDeps();
    const { approval } = await d.store.create(subject("inv-1"));
    const out = await decide(d, { approvalId: approval.id, verb: "approve", actor: "UA1" }).catch(
      (err: unknown) => err,
    );
    // The approval moved and nothing after it needed to run for the trail to say so.
    expect((await d.store.get(approval.id))?.state).toBe("approved");
    expect(out).not.toBeInstanceOf(Killed);
    const entries = await log.query({ alertId: "inv-1" });
    const decided = entries.filter((e) => e.type === "approval.decided");
    expect(decided).toHaveLength(1);
    expect(decided[0]?.recordKey).toBe("supplier_invoice:T:1:AAA:inv-1");
    expect(decided[0]?.data).toMatchObject({
      approvalId: approval.id,
      actor: "UA1",
      state: "approved",
    });
    // A second click is refused and writes no second decision.
    await decide(d, { approvalId: approval.id, verb: "approve", actor: "UA2" }).catch(() => {});
    const again = await log.query({ alertId: "inv-1" });
    expect(again.filter((e) => e.type === "approval.decided")).toHaveLength(1);
  });

  it("a reject keeps its reason in the entry written with the move", async () => {
    const d = killedDeps();
    const { approval } = await d.store.create(subject("inv-2"));
    await decide(d, {
      approvalId: approval.id,
      verb: "reject",
      actor: "UA1",
      reason: "wrong price",
    }).catch(() => {});
    const [entry] = (await log.query({ alertId: "inv-2" })).filter(
      (e) => e.type === "approval.decided",
    );
    expect(entry?.data).toMatchObject({ state: "rejected", reason: "wrong price" });
  });

  it("decided in M3: the superseded entry lands with the close", async () => {
    const d = killedDeps();
    const { approval } = await d.store.create(subject("inv-3"));
    await closeAsDecidedInErp(d, approval, { state: "approved", by: "M3U1" }, "system", () =>
      new Date().toISOString(),
    ).catch(() => {});
    expect((await d.store.get(approval.id))?.state).toBe("superseded");
    const [entry] = (await log.query({ alertId: "inv-3" })).filter(
      (e) => e.type === "approval.superseded",
    );
    expect(entry?.data).toMatchObject({ code: "erp_approved", reason: "decided in M3 by M3U1" });
  });

  it("decided in M3 seen twice at once (poll and changed-record check): one superseded entry", async () => {
    // Both read M3, both close the approval they listed as open; the second close moves nothing,
    // so it writes nothing either (chaos --approvals: 14-31 of 68 had two entries).
    const d = { ...killedDeps(), audit: slackAuditToLog(log) };
    const { approval } = await d.store.create(subject("inv-6"));
    const now = () => new Date().toISOString();
    const out = { state: "approved" as const, by: "M3U2" };
    await closeAsDecidedInErp(d, approval, out, "system", now);
    const second = await closeAsDecidedInErp(d, approval, out, "system", now);
    expect(second.kind === "superseded" && second.approval.state).not.toBe("superseded");
    const entries = (await log.query({ alertId: "inv-6" })).filter(
      (e) => e.type === "approval.superseded",
    );
    expect(entries).toHaveLength(1);
  });

  it("an audit write that fails leaves the approval where it was (no decision without its entry)", async () => {
    const broken = `${prefix}broken:`;
    // The stream key holds a string: XADD fails inside the script.
    const brokenLog = new AuditLog({ redis, prefix: broken });
    await redis.set(brokenLog.streamKey, "not a stream");
    const store = createApprovalStore({
      redis,
      prefix,
      prepareAudit: (e) => brokenLog.prepare(auditInputOf(e)),
    });
    const { approval } = await store.create(subject("inv-4"));
    await expect(
      store.transition(approval.id, "approve", "UA1", "", {
        type: "approval.decided",
        approvalId: approval.id,
        actor: "UA1",
      }),
    ).rejects.toThrow(/WRONGTYPE/);
    expect((await store.get(approval.id))?.state).toBe("pending");
  });

  it("without prepareAudit the caller still appends the entry (audited: false)", async () => {
    const store = createApprovalStore({ redis, prefix });
    const { approval } = await store.create(subject("inv-5"));
    const moved = await store.transition(approval.id, "approve", "UA1", "", {
      type: "approval.decided",
      approvalId: approval.id,
      actor: "UA1",
    });
    expect(moved).toMatchObject({ ok: true, audited: false });
  });
});
