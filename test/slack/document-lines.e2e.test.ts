import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { InvoiceLineRec, InvoiceRec } from "../../sandbox/infor-sim/data/model.ts";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { createAlert, type DocumentLine } from "../../src/alerts/alert.ts";
import { reflectedMessage } from "../../src/app/erp-approvals.ts";
import { createPendingApproval } from "../../src/approvals/create-pending.ts";
import { createM3Adapter } from "../../src/approvals/erp-m3.ts";
import { reflectRecords } from "../../src/approvals/erp-reflect.ts";
import type { ErpMode } from "../../src/approvals/erp-types.ts";
import { createErpWriter, type ErpWriter } from "../../src/approvals/erp-write-back.ts";
import { createApprovalStore } from "../../src/approvals/store.ts";
import type { Approval } from "../../src/approvals/types.ts";
import { M3ApprovalCalls } from "../../src/infor/m3/approval-calls.ts";
import { alertMessage } from "../../src/slack/blocks/alert.ts";
import {
  DOC_ACTIONS_BLOCK,
  DOC_ALL_BLOCK,
  DOCUMENT_ACTIONS,
} from "../../src/slack/blocks/document.ts";
import { batchTaker } from "../approvals/sim-batches.ts";
import { sim, simClient } from "../infor/sim-helpers.ts";
import {
  APPROVER_1,
  APPROVER_2,
  CHANNEL,
  eventually,
  type Harness,
  startHarness,
  subject,
  textOf,
} from "./helpers/harness.ts";

// An invoice in M3's approval flow (SUPA 90, approver APPR1) whose message lists several
// exception lines, each with its own approval: every click goes through Bolt as Slack sends it
// (signed), and every line approval reaches the simulator's CMS742MI.
const logger = pino({ level: "silent" });
let h: Harness;
let s: InforSim;
let client: ReturnType<typeof simClient>;
let store: ReturnType<typeof createApprovalStore>;
let writer: ErpWriter;
let mode: ErpMode = "on";
const adapter = () =>
  createM3Adapter({
    calls: new M3ApprovalCalls(client.mi),
    usesFlow: true,
    rejectReasonCode: "RJ",
  });

beforeAll(async () => {
  s = await sim();
  client = simClient(s);
  h = await startHarness("document-lines", ({ redis, prefix }) => {
    store = createApprovalStore({ redis, prefix });
    writer = createErpWriter({
      redis,
      prefix: `${prefix}erp:`,
      logger,
      modeFor: () => mode,
      adapterFor: adapter,
    });
    return {
      approvals: {
        store,
        policy: { authorize: async () => ({ allowed: true }) },
        recheck: async () => ({ changed: false }),
        erp: writer,
        // Every Slack approver acts as the M3 approver of the flow.
        erpUserFor: async () => "APPR1",
      },
    };
  });
});
afterAll(async () => {
  await h?.close();
  await client?.close();
  await s?.close();
});
beforeEach(() => {
  mark();
  mode = "on";
  s.control.approvals.configure({ dropNext: 0, dropRate: 0, deniedUsers: [] });
});

const batch = batchTaker(() => s);

/** A batch in M3's approval flow with `n` invoice lines (one flow line each). */
function flowInvoice(n: number): InvoiceRec {
  const inv = batch({ supa: "90", apcd: "APPR1", yea4: 2026 });
  const line = (trno: number): InvoiceLineRec => ({
    trno,
    rdtp: "8",
    puno: "",
    pnli: 0,
    pnls: 0,
    itno: "",
    ivqa: "1",
    puun: "EA",
    ppun: "EA",
    pucd: "1",
    grpr: "100",
    nlam: "100",
    ait1: "6010",
    ait2: "1100",
    rgdt: "20261201",
    lmdt: "20261201",
  });
  inv.lines = Array.from({ length: n }, (_, i) => line(i + 1));
  s.control.data().version++;
  return inv;
}

/**
 * What the pipeline and delivery do for an invoice with `n` exception lines: an approval per
 * line (kind exception, its invoice line), ONE message listing the lines, every approval
 * attached to that message.
 */
async function postDocument(
  inv: InvoiceRec,
  n: number,
  o: { enteredBy?: { line: number; user: string } } = {},
) {
  const recordKey = `supplier_invoice:${s.tenant}:${inv.cono}:${inv.divi}:${inv.inbn}`;
  const approvals: Approval[] = [];
  for (let line = 1; line <= n; line++) {
    approvals.push(
      await createPendingApproval(
        { store },
        subject(`L-${inv.inbn}-${line}-${randomBytes(2).toString("hex")}`, {
          recordKey,
          kind: "exception",
          tenant: s.tenant,
          company: String(inv.cono),
          title: `Price variance on line ${line}: invoice ${inv.sino}`,
          line,
          ...(o.enteredBy?.line === line ? { enteredBySlackId: o.enteredBy.user } : {}),
        }),
      ),
    );
  }
  const lines: DocumentLine[] = approvals.map((a, i) => ({
    id: `mx_price_variance_${i + 1}`,
    line: i + 1,
    exception: {
      type: "price_variance",
      title: "Price variance",
      severity: "warning",
      summary: `Line ${i + 1}: invoiced 110.00 EUR, PO 100.00 EUR`,
      details: [],
      amount: { amount: "10.00", currency: "EUR" },
    },
    state: "open",
    since: "2026-12-01T08:00:00Z",
    approvalId: a.id,
    allowHold: true,
  }));
  const alert = createAlert({
    kind: "exception.opened",
    channel: CHANNEL,
    tenant: s.tenant,
    entity: "supplier_invoice",
    recordKey,
    contentVersion: "d1",
    exception: { type: "invoice_exceptions", summary: `${n} lines` },
    document: { lines, events: [] },
    needsDecision: { approvalId: approvals[0]?.id ?? "" },
  });
  const m = alertMessage(alert, { at: new Date() });
  const res = await h.client.chat.postMessage({
    channel: CHANNEL,
    text: m.text,
    blocks: m.blocks as never,
  });
  const ts = res.ts ?? "";
  for (const a of approvals) await store.attachMessage(a.id, CHANNEL, ts);
  return { approvals, ts };
}

const message = (ts: string) => h.emu.inspect.messages(CHANNEL).find((m) => m.ts === ts);
const blockOf = (ts: string, id: string) =>
  (message(ts)?.blocks as { block_id?: string }[] | undefined)?.find((b) => b.block_id === id);
const lineState = (ts: string, a: Approval) => textOf(blockOf(ts, `doc.state:${a.id}`));
const flowCalls = (inbn: number) =>
  s.control.approvals.snapshot(undefined, [inbn]).decisions.filter((d) => d.via === "mi");
const clickLine = (ts: string, a: Approval, action: string, user = APPROVER_1) =>
  h.emu.platform.blockAction({
    userId: user,
    channelId: CHANNEL,
    messageTs: ts,
    action: { action_id: action, block_id: `${DOC_ACTIONS_BLOCK}${a.id}` },
  });
/** Private answers to the clicker since the last `mark()` (tests share the approver). */
let seen = 0;
const mark = () => {
  seen = h.emu.inspect.ephemerals({ user: APPROVER_1 }).length;
};
const ephemeral = (part: string) =>
  eventually(() =>
    h.emu.inspect
      .ephemerals({ user: APPROVER_1 })
      .slice(seen)
      .find((e) => e.text.includes(part)),
  );

describe("line decisions on an invoice's one message (signed requests through Bolt, M3 flow)", () => {
  it("a line's Approve reaches CMS742MI for that line once; only its line is stamped", async () => {
    const inv = flowInvoice(2);
    const { approvals, ts } = await postDocument(inv, 2);
    const [one, two] = approvals as [Approval, Approval];
    expect((await clickLine(ts, one, "approval.approve")).status).toBe(200);
    await eventually(() => lineState(ts, one).includes("Approved"));
    expect(flowCalls(inv.inbn).map((d) => [d.route, d.line])).toEqual([["CMS742MI", 1]]);
    expect((await store.get(one.id))?.state).toBe("approved");
    expect((await store.get(two.id))?.state).toBe("pending");
    // Line 2 keeps its buttons; one line left to decide, so no whole-invoice buttons.
    expect(blockOf(ts, `${DOC_ACTIONS_BLOCK}${two.id}`)).toBeDefined();
    expect(blockOf(ts, `${DOC_ACTIONS_BLOCK}${one.id}`)).toBeUndefined();
    expect(blockOf(ts, DOC_ALL_BLOCK)).toBeUndefined();
    expect(lineState(ts, one)).toContain(`<@${APPROVER_1}>`);
    expect(
      s.control.approvals.snapshot(undefined, [inv.inbn]).invoices[String(inv.inbn)]?.flow,
    ).toBe("pending");
    // The thread carries the decision (a reply: the message itself says "Approved" too).
    await eventually(() => message(ts)?.replies.find((m) => m.text.includes("Approved")));
  });

  it("a line's Reject asks for a reason and is Slack's only: M3 has no line rejection", async () => {
    const inv = flowInvoice(2);
    const { approvals, ts } = await postDocument(inv, 2);
    const [one, two] = approvals as [Approval, Approval];
    await clickLine(ts, two, "approval.reject");
    const modal = await eventually(() =>
      h.emu.inspect
        .views({ type: "modal", user: APPROVER_1 })
        .find((v) => v.private_metadata.includes(two.id)),
    );
    await h.emu.platform.viewSubmission({
      userId: APPROVER_1,
      viewId: modal.id,
      values: { reason: { reason_input: { type: "plain_text_input", value: "Price not agreed" } } },
    });
    await eventually(() => lineState(ts, two).includes("Rejected"));
    expect(lineState(ts, two)).toContain("Price not agreed");
    expect((await store.get(two.id))?.state).toBe("rejected");
    expect((await store.get(one.id))?.state).toBe("pending");
    expect(flowCalls(inv.inbn)).toEqual([]);
    await ephemeral("M3 has no rejection of a single line");
  });

  it.each([
    ["no authority", "deny", "not authori"],
    ["record changed", "change", "changed"],
  ] as const)(
    "M3 refuses a line (%s): the approver is told why, the line keeps its buttons",
    async (_, fault, words) => {
      const inv = flowInvoice(2);
      const { approvals, ts } = await postDocument(inv, 2);
      const [one] = approvals as [Approval];
      s.control.approvals.configure(
        fault === "change" ? { changeNext: [inv.inbn] } : { deniedUsers: ["APPR1"] },
      );
      await clickLine(ts, one, "approval.approve");
      const told = await ephemeral("M3 refused line 1");
      expect(told.text.toLowerCase()).toContain(words);
      expect((await store.get(one.id))?.state).toBe("pending");
      expect(blockOf(ts, `${DOC_ACTIONS_BLOCK}${one.id}`)).toBeDefined();
      expect(flowCalls(inv.inbn)).toEqual([]);
    },
  );

  it("a line already approved in M3: the line closes as decided in M3, nothing is written", async () => {
    const inv = flowInvoice(2);
    const { approvals, ts } = await postDocument(inv, 2);
    const [one, two] = approvals as [Approval, Approval];
    s.control.approvals.decideInM3({ inbn: inv.inbn, verb: "approve_line", line: 1, user: "jdoe" });
    await clickLine(ts, one, "approval.approve");
    await eventually(() => lineState(ts, one).includes("decided in M3"));
    expect((await store.get(one.id))?.state).toBe("superseded");
    expect((await store.get(two.id))?.state).toBe("pending");
    expect(flowCalls(inv.inbn)).toEqual([]);
  });

  /** One reflection of the invoice's approvals, as the scheduler's changed-record check runs it. */
  const reflect = (recordKey: string) =>
    reflectRecords(
      {
        store,
        writer,
        adapterFor: adapter,
        modeFor: () => mode,
        audit: async () => {},
        onChanged: reflectedMessage(h.client, logger),
      },
      [recordKey],
    );

  it("the invoice approved in M3 while its lines wait: one reflection closes every line as decided in M3", async () => {
    const inv = flowInvoice(2);
    const { approvals, ts } = await postDocument(inv, 2);
    const [one, two] = approvals as [Approval, Approval];
    s.control.approvals.decideInM3({ inbn: inv.inbn, verb: "approve", user: "jdoe" });
    const report = await reflect(one.recordKey);
    expect(report.decidedInErp).toBe(2);
    expect((await store.get(one.id))?.state).toBe("superseded");
    expect((await store.get(two.id))?.state).toBe("superseded");
    await eventually(
      () => lineState(ts, one).includes("in the ERP") && lineState(ts, two).includes("in the ERP"),
    );
    expect(flowCalls(inv.inbn)).toEqual([]);
  });

  it("one line approved in M3 (CMS742): the reflection closes that line only", async () => {
    const inv = flowInvoice(2);
    const { approvals, ts } = await postDocument(inv, 2);
    const [one, two] = approvals as [Approval, Approval];
    s.control.approvals.decideInM3({ inbn: inv.inbn, verb: "approve_line", line: 2, user: "jdoe" });
    const report = await reflect(one.recordKey);
    expect(report.decidedInErp).toBe(1);
    expect((await store.get(one.id))?.state).toBe("pending");
    expect((await store.get(two.id))?.state).toBe("superseded");
    await eventually(() => lineState(ts, two).includes("in the ERP"));
    expect(lineState(ts, one)).not.toContain("in the ERP");
    expect(flowCalls(inv.inbn)).toEqual([]);
  });

  it("one reflection of an invoice with three open lines reads M3 three times, not three times per line", async () => {
    const inv = flowInvoice(3);
    const { approvals, ts } = await postDocument(inv, 3);
    const [one, two, three] = approvals as [Approval, Approval, Approval];
    s.control.approvals.decideInM3({ inbn: inv.inbn, verb: "approve_line", line: 3, user: "jdoe" });
    // The MI calls the reflection makes, by program and transaction.
    const calls: string[] = [];
    const execute: typeof client.mi.execute = (program, transaction, ...rest) => {
      calls.push(`${program}/${transaction}`);
      return client.mi.execute(program, transaction, ...rest);
    };
    const counted = new Proxy(client.mi, {
      get: (target, name) => (name === "execute" ? execute : Reflect.get(target, name)),
    });
    const report = await reflectRecords(
      {
        store,
        writer,
        adapterFor: () =>
          createM3Adapter({
            calls: new M3ApprovalCalls(counted),
            usesFlow: true,
            rejectReasonCode: "RJ",
          }),
        modeFor: () => mode,
        audit: async () => {},
        onChanged: reflectedMessage(h.client, logger),
      },
      [one.recordKey],
    );
    expect(report.checked).toBe(3);
    expect(report.decidedInErp).toBe(1);
    expect((await store.get(three.id))?.state).toBe("superseded");
    for (const a of [one, two]) expect((await store.get(a.id))?.state).toBe("pending");
    // The head (route), the flow's invoice state and its lines: once each for the invoice.
    expect(calls.sort()).toEqual(["APS450MI/GetHead", "CMS740MI/Get", "CMS742MI/Lst"]);
    await eventually(() => lineState(ts, three).includes("in the ERP"));
  });

  it("a line decided elsewhere in Slack: a stale click changes nothing and restamps the line", async () => {
    const inv = flowInvoice(2);
    const { approvals, ts } = await postDocument(inv, 2);
    const [one] = approvals as [Approval];
    // Approver 2 decided line 1 (App Home, a DM card) while this message still shows buttons.
    await store.transition(one.id, "approve", APPROVER_2);
    await clickLine(ts, one, "approval.approve");
    await ephemeral("Already decided");
    await eventually(() => lineState(ts, one).includes(`<@${APPROVER_2}>`));
    expect((await store.get(one.id))?.decidedBy).toBe(APPROVER_2);
    expect(flowCalls(inv.inbn)).toEqual([]);
  });

  it("App Home bulk approve of one line approves that line in M3 (CMS742MI), not the invoice", async () => {
    const inv = flowInvoice(2);
    const { approvals, ts } = await postDocument(inv, 2);
    const [one, two] = approvals as [Approval, Approval];
    await h.emu.platform.appHomeOpened(APPROVER_1);
    const home = await eventually(() => {
      const v = h.emu.inspect.home(APPROVER_1);
      return v && textOf(v.blocks).includes(two.id) ? v : undefined;
    });
    await h.emu.platform.blockAction({
      userId: APPROVER_1,
      viewId: home.id,
      action: { action_id: "home.bulk_approve", value: "bulk" },
      values: {
        "home.bulk": {
          "home.bulk_select": {
            type: "checkboxes",
            selected_options: [{ text: { type: "plain_text", text: two.title }, value: two.id }],
          },
        },
      },
    });
    await eventually(() => lineState(ts, two).includes("Approved"));
    expect(flowCalls(inv.inbn).map((d) => [d.route, d.line])).toEqual([["CMS742MI", 2]]);
    expect((await store.get(one.id))?.state).toBe("pending");
  });

  it("Approve all with a line already decided: the invoice goes to M3 once (CMS740MI), open lines follow", async () => {
    const inv = flowInvoice(3);
    const { approvals, ts } = await postDocument(inv, 3);
    const [one, two, three] = approvals as [Approval, Approval, Approval];
    // Line 1 was decided elsewhere; the message's whole-invoice button still names all three.
    await store.transition(one.id, "reject", APPROVER_2, "wrong price");
    const res = await h.emu.platform.blockAction({
      userId: APPROVER_1,
      channelId: CHANNEL,
      messageTs: ts,
      action: { action_id: DOCUMENT_ACTIONS.approveAll, block_id: DOC_ALL_BLOCK },
    });
    expect(res.status).toBe(200);
    const summary = await ephemeral("open lines of the invoice");
    expect(summary.text).toContain("Approved 2 open lines");
    expect(summary.text).toContain("Already decided, kept as it was");
    expect((await store.get(one.id))?.state).toBe("rejected");
    expect((await store.get(two.id))?.state).toBe("approved");
    expect((await store.get(three.id))?.state).toBe("approved");
    expect(flowCalls(inv.inbn).map((d) => d.route)).toEqual(["CMS740MI"]);
    await eventually(
      () => lineState(ts, two).includes("Approved") && lineState(ts, three).includes("Approved"),
    );
    expect(blockOf(ts, DOC_ALL_BLOCK)).toBeUndefined();
    // The thread hears of the click once, naming both lines it decided (the notice is sent
    // before the clicker's summary, so a second one would be there by now).
    const notices = (message(ts)?.replies ?? []).filter((m) => m.text.includes("Approved"));
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain(`<@${APPROVER_1}>`);
    expect(notices[0]?.text).toContain("line 2");
    expect(notices[0]?.text).toContain("line 3");
    expect(notices[0]?.text).not.toContain("line 1:");
    // Decided alike, one line of text with one time (the first line went to M3 first).
    expect(notices[0]?.text.split("\n")).toHaveLength(1);
  });

  it("Reject invoice… with a line already approved: a reason, CMS740MI Reject once, open lines rejected", async () => {
    const inv = flowInvoice(3);
    const { approvals, ts } = await postDocument(inv, 3);
    const [one, two, three] = approvals as [Approval, Approval, Approval];
    await store.transition(one.id, "approve", APPROVER_2);
    await h.emu.platform.blockAction({
      userId: APPROVER_1,
      channelId: CHANNEL,
      messageTs: ts,
      action: { action_id: DOCUMENT_ACTIONS.rejectAll, block_id: DOC_ALL_BLOCK },
    });
    const modal = await eventually(() =>
      h.emu.inspect
        .views({ type: "modal", user: APPROVER_1 })
        .find((v) => v.private_metadata.includes(three.id)),
    );
    await h.emu.platform.viewSubmission({
      userId: APPROVER_1,
      viewId: modal.id,
      values: {
        reason: { reason_input: { type: "plain_text_input", value: "Duplicate delivery" } },
      },
    });
    const summary = await ephemeral("open lines of the invoice");
    expect(summary.text).toContain("Rejected 2 open lines");
    expect((await store.get(one.id))?.state).toBe("approved");
    for (const a of [two, three]) {
      const now = await store.get(a.id);
      expect(now?.state).toBe("rejected");
      expect(now?.reason).toBe("Duplicate delivery");
    }
    expect(flowCalls(inv.inbn).map((d) => [d.route, d.verb])).toEqual([["CMS740MI", "reject"]]);
    await eventually(() => lineState(ts, three).includes("Rejected"));
  });

  it("Approve all refused for one line (segregation of duties): nothing is decided", async () => {
    const inv = flowInvoice(2);
    // Approver 1 entered the invoice line 2 is about: they may not approve it.
    const { approvals, ts } = await postDocument(inv, 2, {
      enteredBy: { line: 2, user: APPROVER_1 },
    });
    await h.emu.platform.blockAction({
      userId: APPROVER_1,
      channelId: CHANNEL,
      messageTs: ts,
      action: { action_id: DOCUMENT_ACTIONS.approveAll, block_id: DOC_ALL_BLOCK },
    });
    const told = await ephemeral("Not decided");
    expect(told.text).toContain("line 2");
    expect(told.text).toContain("segregation of duties");
    for (const a of approvals) expect((await store.get(a.id))?.state).toBe("pending");
    expect(flowCalls(inv.inbn)).toEqual([]);
    expect(blockOf(ts, DOC_ALL_BLOCK)).toBeDefined();
  });
});
