import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InvoiceRec } from "../../sandbox/infor-sim/data/model.ts";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { decidedOnly, reflectedMessage } from "../../src/app/erp-approvals.ts";
import { createPendingApproval } from "../../src/approvals/create-pending.ts";
import { createM3Adapter } from "../../src/approvals/erp-m3.ts";
import { reflectErpDecisions } from "../../src/approvals/erp-reflect.ts";
import type { ErpMode } from "../../src/approvals/erp-types.ts";
import { createErpWriter } from "../../src/approvals/erp-write-back.ts";
import { createApprovalStore } from "../../src/approvals/store.ts";
import type { ApprovalAuditEvent } from "../../src/approvals/types.ts";
import { M3ApprovalCalls } from "../../src/infor/m3/approval-calls.ts";
import { approvalActions } from "../../src/slack/blocks/alert.ts";
import { batchTaker } from "../approvals/sim-batches.ts";
import { sim, simClient } from "../infor/sim-helpers.ts";
import {
  APPROVER_1,
  CHANNEL,
  eventually,
  type Harness,
  startHarness,
  subject,
  textOf,
} from "./helpers/harness.ts";

const logger = pino({ level: "silent" });
const prefix = `test:erp-e2e:${randomBytes(4).toString("hex")}:`;
let h: Harness;
let s: InforSim;
let client: ReturnType<typeof simClient>;
let redis: Redis;
const audit: ApprovalAuditEvent[] = [];
let store: ReturnType<typeof createApprovalStore>;
let writer: ReturnType<typeof createErpWriter>;
let mode: ErpMode = "on";
const adapter = () =>
  createM3Adapter({
    calls: new M3ApprovalCalls(client.mi),
    usesFlow: false,
    rejectReasonCode: "RJ",
  });

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  s = await sim();
  client = simClient(s);
  store = createApprovalStore({ redis, prefix });
  writer = createErpWriter({ redis, prefix, logger, modeFor: () => mode, adapterFor: adapter });
  h = await startHarness("erp-approvals", {
    approvals: {
      store,
      policy: { authorize: async () => ({ allowed: true }) },
      recheck: async () => ({ changed: false }),
      erp: writer,
    },
    audit: (e) => {
      audit.push(e as ApprovalAuditEvent);
    },
  });
});
afterAll(async () => {
  await h?.close();
  await client?.close();
  await s?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

/** A fresh batch of the given kind and status, taken from the generated data. */
const batch = batchTaker(() => s);

/** The approval the pipeline creates for an M3 batch, and its alert with buttons in the channel. */
async function postAlert(inv: InvoiceRec) {
  const approval = await createPendingApproval(
    { store },
    subject(`A-${inv.inbn}`, {
      recordKey: `supplier_invoice:${s.tenant}:${inv.cono}:${inv.divi}:${inv.inbn}`,
      tenant: s.tenant,
      company: String(inv.cono),
      title: `Invoice ${inv.sino} (batch ${inv.inbn})`,
    }),
  );
  const res = await h.client.chat.postMessage({
    channel: CHANNEL,
    text: `Invoice ${inv.sino} needs approval`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*Invoice ${inv.sino}*` } },
      approvalActions(approval.id) as never,
    ],
  });
  const ts = res.ts ?? "";
  await store.attachMessage(approval.id, CHANNEL, ts);
  return { approval, ts };
}

const click = (ts: string, action: string) =>
  h.emu.platform.blockAction({
    userId: APPROVER_1,
    channelId: CHANNEL,
    messageTs: ts,
    action: { action_id: action },
  });
const message = (ts: string) => h.emu.inspect.messages(CHANNEL).find((m) => m.ts === ts);
const miDecisions = (inbn: number) =>
  s.control.approvals.snapshot(undefined, [inbn]).decisions.filter((d) => d.via === "mi");

describe("Slack decisions written to M3 (signed requests, simulator)", () => {
  it("approve reaches APS450MI once and the message is stamped", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    const { approval, ts } = await postAlert(inv);
    expect((await click(ts, "approval.approve")).status).toBe(200);
    await eventually(() => textOf(message(ts)?.blocks).includes("Approved"));
    expect(inv.supa).toBe("50");
    expect(miDecisions(inv.inbn)).toHaveLength(1);
    expect((await store.get(approval.id))?.state).toBe("approved");
    expect(audit).toContainEqual(
      expect.objectContaining({ approvalId: approval.id, code: "written:APS450MI" }),
    );
  });

  it.each(["off", "shadow"] as const)(
    "write-back %s: nothing reaches M3 and the message says AP must still approve there",
    async (m) => {
      mode = m;
      try {
        const inv = batch({ ibtp: "10", supa: "30" });
        const { approval, ts } = await postAlert(inv);
        expect((await click(ts, "approval.approve")).status).toBe(200);
        await eventually(() => textOf(message(ts)?.blocks).includes("Approved"));
        expect(textOf(message(ts)?.blocks)).toContain(
          `ERP write-back ${m}): AP must still approve this invoice in M3.`,
        );
        expect(inv.supa).toBe("30");
        expect(miDecisions(inv.inbn)).toHaveLength(0);
        expect((await store.get(approval.id))?.state).toBe("approved");
      } finally {
        mode = "on";
      }
    },
  );

  it("written to M3: no such line", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    const { ts } = await postAlert(inv);
    await click(ts, "approval.approve");
    await eventually(() => textOf(message(ts)?.blocks).includes("Approved"));
    expect(textOf(message(ts)?.blocks)).not.toContain("AP must still");
  });

  it("reject with a reason reaches APS450MI RejectInvoice", async () => {
    const inv = batch({ ibtp: "50", supa: "30" });
    const { approval, ts } = await postAlert(inv);
    await click(ts, "approval.reject");
    const modal = await eventually(() =>
      h.emu.inspect
        .views({ type: "modal", user: APPROVER_1 })
        .find((v) => v.private_metadata.includes(approval.id)),
    );
    await h.emu.platform.viewSubmission({
      userId: APPROVER_1,
      viewId: modal.id,
      values: { reason: { reason_input: { type: "plain_text_input", value: "Claim not agreed" } } },
    });
    await eventually(() => textOf(message(ts)?.blocks).includes("Rejected"));
    expect(inv.supa).toBe("40");
    expect(miDecisions(inv.inbn).map((d) => d.verb)).toEqual(["reject"]);
  });

  it("M3 refuses (record changed): the approver is told why, the message keeps its buttons", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    const { approval, ts } = await postAlert(inv);
    s.control.approvals.configure({ changeNext: [inv.inbn] });
    await click(ts, "approval.approve");
    const eph = await eventually(() =>
      h.emu.inspect.ephemerals({ user: APPROVER_1 }).find((e) => e.text.includes("M3 refused")),
    );
    expect(eph.text).toContain("changed by user");
    expect((await store.get(approval.id))?.state).toBe("pending");
    expect(textOf(message(ts)?.blocks)).toContain("approval.approve");
    expect(inv.supa).toBe("30");
  });

  it("decided in M3 before the click: the message says so, nothing is written", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    const { approval, ts } = await postAlert(inv);
    s.control.approvals.decideInM3({ inbn: inv.inbn, verb: "approve", user: "jdoe" });
    await click(ts, "approval.approve");
    await eventually(() => textOf(message(ts)?.blocks).includes("decided in M3"));
    expect((await store.get(approval.id))?.state).toBe("superseded");
    expect(miDecisions(inv.inbn)).toHaveLength(0);
  });

  it("decided in M3 while pending: one reflection poll updates the message", async () => {
    const inv = batch({ ibtp: "10", supa: "30" });
    const { approval, ts } = await postAlert(inv);
    s.control.approvals.decideInM3({ inbn: inv.inbn, verb: "reject", user: "jdoe", reason: "dup" });
    const report = await reflectErpDecisions({
      store,
      writer,
      adapterFor: adapter,
      modeFor: () => "on",
      // One EXPORTMI change list per division names the batches to read and who changed them.
      changedSince: async (_tenant, scope, since) =>
        decidedOnly(await new M3ApprovalCalls(client.mi).changedBatches(scope, since)),
      audit: (e) => {
        audit.push(e);
      },
      onChanged: reflectedMessage(h.client, logger),
    });
    expect(report.decidedInErp).toBeGreaterThanOrEqual(1);
    const shown = await eventually(() => {
      const text = textOf(message(ts)?.blocks);
      return text.includes("rejected in the ERP") ? text : undefined;
    });
    expect(shown).toContain("decided in M3 by JDOE");
    expect(shown).not.toContain("approval.approve");
    expect((await store.get(approval.id))?.state).toBe("superseded");
  });
  it("bulk approve from App Home writes each item to M3 through the click's path, or says why not", async () => {
    const ok = batch({ ibtp: "10", supa: "30" });
    const decidedInM3 = batch({ ibtp: "10", supa: "30" });
    const refused = batch({ ibtp: "10", supa: "30" });
    const items = [await postAlert(ok), await postAlert(decidedInM3), await postAlert(refused)];
    s.control.approvals.decideInM3({ inbn: decidedInM3.inbn, verb: "approve", user: "jdoe" });
    s.control.approvals.configure({ changeNext: [refused.inbn] });
    await h.emu.platform.appHomeOpened(APPROVER_1);
    const home = await eventually(() => {
      const v = h.emu.inspect.home(APPROVER_1);
      return v && items.every((i) => textOf(v.blocks).includes(i.approval.id)) ? v : undefined;
    });
    await h.emu.platform.blockAction({
      userId: APPROVER_1,
      viewId: home.id,
      action: { action_id: "home.bulk_approve", value: "bulk" },
      values: {
        "home.bulk": {
          "home.bulk_select": {
            type: "checkboxes",
            selected_options: items.map((i) => ({
              text: { type: "plain_text", text: i.approval.title },
              value: i.approval.id,
            })),
          },
        },
      },
    });
    const summary = await eventually(() =>
      h.emu.inspect
        .views({ type: "modal", user: APPROVER_1 })
        .find((v) => textOf(v.blocks).includes("of 3 approved")),
    );
    expect(textOf(summary.blocks)).toContain("1 of 3 approved");
    expect(textOf(summary.blocks)).toContain("M3 refused");
    expect(ok.supa).toBe("50");
    expect(miDecisions(ok.inbn)).toHaveLength(1);
    expect(miDecisions(decidedInM3.inbn)).toHaveLength(0);
    expect(refused.supa).toBe("30");
    expect((await store.get(items[0]?.approval.id ?? ""))?.state).toBe("approved");
    expect((await store.get(items[1]?.approval.id ?? ""))?.state).toBe("superseded");
    expect((await store.get(items[2]?.approval.id ?? ""))?.state).toBe("pending");
  });
});
