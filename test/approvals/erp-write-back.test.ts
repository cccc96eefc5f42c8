import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { InvoiceRec } from "../../sandbox/infor-sim/data/model.ts";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import { decideLine } from "../../src/approvals/erp-line.ts";
import { createM3Adapter } from "../../src/approvals/erp-m3.ts";
import { reflectErpDecisions } from "../../src/approvals/erp-reflect.ts";
import type { ErpDecision, ErpMode } from "../../src/approvals/erp-types.ts";
import { createErpWriter } from "../../src/approvals/erp-write-back.ts";
import { createApprovalStore } from "../../src/approvals/store.ts";
import type { Approval } from "../../src/approvals/types.ts";
import { M3ApprovalCalls } from "../../src/infor/m3/approval-calls.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { sim, simClient } from "../infor/sim-helpers.ts";
import { connectTestRedis, testPrefix } from "../support/redis.ts";
import { batchTaker } from "./sim-batches.ts";

const prefix = testPrefix(`test:erp-wb:${randomBytes(4).toString("hex")}`);
const logger = pino({ level: "silent" });
let redis: RedisClient;
let s: InforSim;
let client: ReturnType<typeof simClient>;
let mode: ErpMode = "on";
let usesFlow = false;

beforeAll(async () => {
  redis = connectTestRedis();
  s = await sim();
  client = simClient(s, { retry: { baseMs: 5, capMs: 20, maxAttempts: 4 } });
});
afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await redis.quit();
  await client.close();
  await s.close();
});
beforeEach(() => {
  mode = "on";
  usesFlow = false;
  s.control.approvals.configure({ dropNext: 0, dropRate: 0, deniedUsers: [] });
});

/** A fresh batch of the given kind and status, taken from the generated data. */
const batch = batchTaker(() => s);

function approvalOf(inv: InvoiceRec): Approval {
  return {
    id: `apv_${inv.inbn}_${randomBytes(3).toString("hex")}`,
    alertId: `a${inv.inbn}`,
    recordKey: `supplier_invoice:${s.tenant}:${inv.cono}:${inv.divi}:${inv.inbn}`,
    kind: "invoice",
    title: `Invoice ${inv.sino}`,
    amount: { amount: inv.cuam, currency: inv.cucd },
    costCenter: "1100",
    tenant: s.tenant,
    company: String(inv.cono),
    recordVersion: "v1",
    state: "pending",
    createdAt: new Date().toISOString(),
  };
}

function writer() {
  return createErpWriter({
    redis,
    prefix,
    logger,
    modeFor: () => mode,
    adapterFor: () =>
      createM3Adapter({
        calls: new M3ApprovalCalls(client.mi),
        usesFlow,
        rejectReasonCode: "RJ",
      }),
  });
}

const decision = (a: Approval, over: Partial<ErpDecision> = {}): ErpDecision => ({
  approval: a,
  verb: "approve",
  actor: "U1",
  ...over,
});
const decisionsFor = (inbn: number) => s.control.approvals.snapshot(undefined, [inbn]).decisions;

describe("ERP write-back to M3 through the simulator", () => {
  it("approves a self-billing batch through APS450MI exactly once", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    const a = approvalOf(inv);
    const w = writer();
    const out = await w.write(decision(a));
    expect(out).toMatchObject({ status: "written", route: "APS450MI" });
    expect(inv.supa).toBe("50");
    // A repeat (double click, retried job) does not call M3 again.
    expect(await w.write(decision(a))).toMatchObject({ status: "written" });
    expect(decisionsFor(inv.inbn)).toHaveLength(1);
  });

  it("rejects with the reason in M3's text lines and the tenant's reason code", async () => {
    const inv = batch({ ibtp: "50", supa: "30" });
    const reason = "Price does not match the claim agreement; see contract 2026-114 clause 4.";
    const out = await writer().write(decision(approvalOf(inv), { verb: "reject", reason }));
    expect(out.status).toBe("written");
    const head = await new M3ApprovalCalls(client.mi).batch({
      company: String(inv.cono),
      division: inv.divi,
      inbn: String(inv.inbn),
      supplier: "",
      invoiceNumber: "",
    });
    expect(head.supa).toBe("40");
    // Three 60-character lines: the words survive, the spacing at a line break may not.
    expect(head.reason.replace(/\s+/g, "")).toBe(reason.replace(/\s+/g, ""));
  });

  it("calls nothing for a supplier invoice still in its batch (APS450MI would answer X_00050)", async () => {
    const inv = batch({ ibtp: "20", supa: "30" });
    const out = await writer().write(decision(approvalOf(inv)));
    expect(out.status).toBe("no_route");
    expect(decisionsFor(inv.inbn)).toHaveLength(0);
  });

  it("off calls nothing; shadow returns the exact call and calls nothing", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    mode = "off";
    expect(await writer().write(decision(approvalOf(inv)))).toEqual({ status: "off" });
    mode = "shadow";
    const out = await writer().write(decision(approvalOf(inv)));
    expect(out).toEqual({
      status: "shadow",
      call: {
        program: "APS450MI",
        transaction: "ApproveInvoice",
        inputs: { DIVI: inv.divi, INBN: String(inv.inbn) },
      },
    });
    expect(inv.supa).toBe("30");
    expect(decisionsFor(inv.inbn)).toHaveLength(0);
  });

  it("a lost answer is resolved by reading M3, not by a second call", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    s.control.approvals.configure({ dropNext: 1 });
    const out = await writer().write(decision(approvalOf(inv)));
    expect(out).toMatchObject({ status: "written" });
    expect(decisionsFor(inv.inbn)).toHaveLength(1);
  });

  it("the client sends an MI write once: a lost answer is an error, not a retry", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    s.control.approvals.configure({ dropNext: 1 });
    const calls = new M3ApprovalCalls(client.mi);
    const before = s.control.log().length;
    await expect(
      calls.approveBatch({
        company: String(inv.cono),
        division: inv.divi,
        inbn: String(inv.inbn),
        supplier: "",
        invoiceNumber: "",
      }),
    ).rejects.toMatchObject({ code: "transport" });
    const sent = s.control
      .log()
      .slice(before)
      .filter((e) => e.path.includes("ApproveInvoice"));
    expect(sent).toHaveLength(1);
    expect(inv.supa).toBe("50");
  });

  it("a worker killed mid-call leaves an intent; the next one reads M3 and does not call again", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    const a = approvalOf(inv);
    // What a killed worker leaves: the intent stored before the call, the call applied in M3.
    await redis.hset(`${prefix}erp-intent:${a.id}`, {
      verb: "approve",
      actor: "U1",
      route: "APS450MI",
      status: "calling",
      attempts: "1",
    });
    s.control.approvals.decideInM3({ inbn: inv.inbn, verb: "approve", user: "MISVC" });
    const before = decisionsFor(inv.inbn).length;
    expect(await writer().write(decision(a))).toMatchObject({ status: "written" });
    expect(decisionsFor(inv.inbn)).toHaveLength(before);
  });

  it("refusals come back with M3's reason and change nothing", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    s.control.approvals.configure({ changeNext: [inv.inbn] });
    const changed = await writer().write(decision(approvalOf(inv)));
    expect(changed).toMatchObject({ status: "refused", code: "changed" });
    expect(inv.supa).toBe("30");
    s.control.approvals.configure({ deniedUsers: [`DIVI:${inv.divi}`] });
    const denied = await writer().write(decision(approvalOf(inv)));
    expect(denied).toMatchObject({ status: "refused", code: "not_authorised" });
    expect(decisionsFor(inv.inbn)).toHaveLength(0);
  });

  it("a batch rejected in M3 is not rejected a second time (M3 would accept it)", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    s.control.approvals.decideInM3({ inbn: inv.inbn, verb: "reject", user: "jdoe", reason: "no" });
    const out = await writer().write(decision(approvalOf(inv), { verb: "reject", reason: "dup" }));
    expect(out).toMatchObject({ status: "decided_in_erp", state: "rejected" });
    expect(decisionsFor(inv.inbn)).toHaveLength(1);
  });

  it("a decision taken in M3 first is reported as decided in M3", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    s.control.approvals.decideInM3({ inbn: inv.inbn, verb: "reject", user: "jdoe", reason: "no" });
    const out = await writer().write(decision(approvalOf(inv)));
    expect(out).toMatchObject({ status: "decided_in_erp", state: "rejected" });
    expect(decisionsFor(inv.inbn).filter((d) => d.via === "mi")).toHaveLength(0);
  });

  describe("M3's approval flow (CMS740MI / CMS742MI)", () => {
    it("approves as the mapped ERP user, refuses another user, approves single lines", async () => {
      usesFlow = true;
      const inv = batch({ supa: "90", apcd: "APPR1", yea4: 2026 });
      const a = approvalOf(inv);
      const wrong = await writer().write(decision(a, { erpUser: "OTHER" }));
      expect(wrong).toMatchObject({ status: "refused", code: "not_authorised" });
      const calls = new M3ApprovalCalls(client.mi);
      const pending = await calls.pendingFor("APPR1", {
        company: String(inv.cono),
        division: inv.divi,
      });
      expect(pending.map((p) => p.inbn)).toContain(String(inv.inbn));
      const line = await writer().write(
        decision(a, { verb: "approve_line", line: 1, erpUser: "APPR1" }),
      );
      expect(line).toMatchObject({ status: "written", route: "CMS740MI" });
      const snap = s.control.approvals.snapshot(undefined, [inv.inbn]);
      expect(snap.decisions.map((d) => d.route)).toEqual(["CMS742MI"]);
      const lines = await calls.flowLines({
        company: String(inv.cono),
        division: inv.divi,
        supplier: inv.suno,
        invoiceNumber: inv.sino,
        year: "2026",
      });
      expect(lines.find((l) => l.line === 1)?.approved).toBe(true);
    });

    it("line approval: once per line even when M3's answer is lost; a second click is refused", async () => {
      usesFlow = true;
      const inv = batch({ supa: "90", apcd: "APPR1", yea4: 2026 });
      const store = createApprovalStore({ redis, prefix });
      const { approval } = await store.create(approvalOf(inv));
      const deps = {
        store,
        policy: { authorize: async () => ({ allowed: true as const }) },
        recheck: async () => ({ changed: false as const }),
        audit: () => {},
        erp: writer(),
        erpUserFor: async () => "APPR1",
      };
      s.control.approvals.configure({ dropNext: 1 });
      const first = await decideLine(deps, { approvalId: approval.id, line: 1, actor: "U1" });
      expect(first).toMatchObject({ kind: "line_written", line: 1 });
      const again = await decideLine(deps, { approvalId: approval.id, line: 1, actor: "U1" });
      expect(again.kind === "line_written" || again.kind === "refused").toBe(true);
      const lineCalls = decisionsFor(inv.inbn).filter((d) => d.route === "CMS742MI");
      expect(lineCalls).toHaveLength(1);
      expect((await store.get(approval.id))?.state).toBe("pending");
    });

    it("a posted invoice outside the flow is approved for payment; its reject has no route", async () => {
      const inv = batch({ supa: "90", yea4: 2026 });
      const rej = await writer().write(decision(approvalOf(inv), { verb: "reject", reason: "x" }));
      expect(rej.status).toBe("no_route");
      const ok = await writer().write(decision(approvalOf(inv)));
      expect(ok).toMatchObject({ status: "written", route: "APS110MI" });
      expect(decisionsFor(inv.inbn).map((d) => d.route)).toEqual(["APS110MI"]);
    });
  });

  it("reflection: a killed worker's decision that M3 applied is completed as the Slack user's", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    const store = createApprovalStore({ redis, prefix });
    const base = approvalOf(inv);
    const { approval } = await store.create(base);
    await redis.hset(`${prefix}erp-intent:${approval.id}`, {
      verb: "reject",
      actor: "U7",
      reason: "wrong price",
      route: "APS450MI",
      status: "calling",
      attempts: "1",
    });
    s.control.approvals.decideInM3({ inbn: inv.inbn, verb: "reject", user: "MISVC", reason: "x" });
    const changed: string[] = [];
    const other = await store.create(approvalOf(batch({ ibtp: "10", supa: "30" })));
    const report = await reflectErpDecisions({
      store,
      writer: writer(),
      adapterFor: () =>
        createM3Adapter({
          calls: new M3ApprovalCalls(client.mi),
          usesFlow: false,
          rejectReasonCode: "",
        }),
      modeFor: () => "on",
      audit: () => {},
      onChanged: async (a, line) => {
        changed.push(`${a.id}:${line.kind}`);
      },
    });
    expect(report.completed).toBeGreaterThanOrEqual(1);
    const after = await store.get(approval.id);
    expect(after).toMatchObject({ state: "rejected", decidedBy: "U7", reason: "wrong price" });
    expect(changed).toContain(`${approval.id}:completed`);
    // Still pending in M3: untouched.
    expect((await store.get(other.approval.id))?.state).toBe("pending");
  });
});
