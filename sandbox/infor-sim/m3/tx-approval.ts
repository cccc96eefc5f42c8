import type { InvoiceRec, TenantData } from "../data/model.ts";
import {
  type ApprovalSimState,
  approvalState,
  flowTask,
  maybeDrop,
  type SimDecision,
  today,
  touch,
} from "./approval-state.ts";
import { type MiContext, type MiHandler, type MiRecord, need, opt } from "./context.ts";
import { MiError } from "./errors.ts";
import { findInvoice } from "./lookup.ts";

/**
 * Approval transactions (docs/erp-approvals.md). APS450MI ApproveInvoice / RejectInvoice follow
 * M3's published source (APS450Fnc): batch types 10/50 only (X_00050), status checks (X_00051),
 * change number (XUP0001). APS110MI ApproveInvoice takes the ledger key (swagger). CMS740MI /
 * CMS742MI inputs, outputs and message ids are not public: every shape there is a (sim choice).
 */

/** IBTP values APS450MI approves and rejects (S2: SELF_BILLING, SUPPLIER_CLAIM, claim request). */
const APS450_TYPES = new Set(["10", "50", "51"]);
/** SUPA values approve accepts: 30 Printed, 41–43 Adjusted (S2 statusOKForApproveInvoice). */
const APPROVABLE = new Set(["30", "41", "42", "43"]);

function batchOf(ctx: MiContext): InvoiceRec {
  const inbn = need(ctx, "INBN", "Invoice batch number");
  const invoice = findInvoice(ctx.data, Number(inbn));
  const divi = opt(ctx, "DIVI") || ctx.divi;
  if (!invoice || (divi !== "" && invoice.divi !== divi))
    throw new MiError(`Invoice batch number ${inbn} does not exist`, "WINBN03", "INBN");
  return invoice;
}

function checkCommon(ctx: MiContext, invoice: InvoiceRec, option: string, opNo: string): void {
  const s = approvalState(ctx.data);
  if (s.deniedUsers.has(`DIVI:${invoice.divi}`))
    // (sim choice) id and text: M3's division-access message is not in the public source.
    throw new MiError(`You are not authorized to division ${invoice.divi}`, "XAU0001", "DIVI");
  if (!APS450_TYPES.has(invoice.ibtp))
    throw new MiError(
      `${option} (Option ${opNo}) cannot be used for invoice type ${invoice.ibtp}`,
      "X_00050",
      "INBN",
    );
  changedMeanwhile(ctx, invoice);
}

/** `changeNext`: another user saves the record during this call (M3's XUP0001 "changed by"). */
function changedMeanwhile(ctx: MiContext, invoice: InvoiceRec): void {
  const s = approvalState(ctx.data);
  if (s.changeNext.has(invoice.inbn)) {
    s.changeNext.delete(invoice.inbn);
    touch(ctx.data, invoice, "M3USER");
    throw new MiError(`The record has been changed by user ${invoice.chid}`, "XUP0001");
  }
}

function record(s: ApprovalSimState, d: Omit<SimDecision, "at">): void {
  s.decisions.push({ ...d, at: new Date().toISOString() });
}

export function applyApprove(data: TenantData, invoice: InvoiceRec, by: string, via: "mi" | "m3") {
  const s = approvalState(data);
  invoice.supa = "50";
  s.approvedOn.set(invoice.inbn, today());
  touch(data, invoice, by);
  record(s, { inbn: invoice.inbn, verb: "approve", by, via, route: "APS450MI" });
}

export function applyReject(
  data: TenantData,
  invoice: InvoiceRec,
  by: string,
  via: "mi" | "m3",
  text: string,
  scre = "",
) {
  const s = approvalState(data);
  invoice.supa = "40";
  const sda: [string, string, string] = [
    text.slice(0, 60),
    text.slice(60, 120),
    text.slice(120, 180),
  ];
  s.rejection.set(invoice.inbn, { scre, rejd: today(), sda });
  touch(data, invoice, by);
  record(s, { inbn: invoice.inbn, verb: "reject", by, via, route: "APS450MI" });
}

/** Ledger key (DIVI, SUNO, SINO, INYR) of APS110MI and, by assumption, CMS740MI. */
function ledgerInvoice(ctx: MiContext): InvoiceRec {
  const divi = opt(ctx, "DIVI") || ctx.divi;
  const suno = need(ctx, "SUNO", "Supplier");
  const sino = need(ctx, "SINO", "Supplier invoice number");
  const inyr = need(ctx, "INYR", "Invoice year");
  const hit = ctx.data.invoices.find(
    (i) =>
      i.suno === suno &&
      i.sino === sino &&
      (divi === "" || i.divi === divi) &&
      (String(i.yea4) === inyr || i.ivdt.slice(0, 4) === inyr) &&
      i.supa === "90",
  );
  if (!hit) throw new MiError(`Invoice ${sino} does not exist`, "WSI0103", "SINO");
  return hit;
}

function flowOf(ctx: MiContext): {
  invoice: InvoiceRec;
  task: NonNullable<ReturnType<typeof flowTask>>;
} {
  const invoice = ledgerInvoice(ctx);
  const task = flowTask(ctx.data, invoice);
  if (!task)
    throw new MiError(`Invoice ${invoice.sino} is not in the approval flow`, "CMS7400", "SINO");
  return { invoice, task };
}

function flowUser(ctx: MiContext, task: { user: string }): string {
  const user = need(ctx, "USID", "User");
  const s = approvalState(ctx.data);
  if (user.toUpperCase() !== task.user.toUpperCase() || s.deniedUsers.has(user.toUpperCase()))
    throw new MiError(`User ${user} is not authorized to approve this invoice`, "CMS7401", "USID");
  return user;
}

function flowStat(task: { status: string }): string {
  return task.status === "approved" ? "20" : task.status === "rejected" ? "30" : "10";
}

export function applyFlow(
  data: TenantData,
  invoice: InvoiceRec,
  verb: "approve" | "reject" | "approve_line",
  by: string,
  via: "mi" | "m3",
  extra: { line?: number; reason?: string } = {},
): void {
  const task = flowTask(data, invoice);
  if (!task) throw new MiError(`Invoice ${invoice.sino} is not in the approval flow`, "CMS7400");
  const s = approvalState(data);
  if (verb === "approve_line") {
    task.lines.set(extra.line ?? 1, "approved");
    if ([...task.lines.values()].every((v) => v === "approved")) task.status = "approved";
  } else if (verb === "approve") {
    for (const n of task.lines.keys()) task.lines.set(n, "approved");
    task.status = "approved";
  } else {
    task.status = "rejected";
    task.reason = extra.reason ?? "";
  }
  if (task.status !== "pending") task.decidedBy = by;
  touch(data, invoice, by);
  record(s, {
    inbn: invoice.inbn,
    verb,
    by,
    via,
    route: verb === "approve_line" ? "CMS742MI" : "CMS740MI",
    ...(extra.line !== undefined ? { line: extra.line } : {}),
  });
}

function flowRow(invoice: InvoiceRec, task: ReturnType<typeof flowTask> & object): MiRecord {
  return {
    DIVI: invoice.divi,
    SUNO: invoice.suno,
    SINO: invoice.sino,
    INYR: String(invoice.yea4 || invoice.ivdt.slice(0, 4)),
    INBN: String(invoice.inbn),
    CUAM: invoice.cuam,
    CUCD: invoice.cucd,
    USID: task.user,
    STAT: flowStat(task),
    APBY: task.decidedBy ?? "",
    TX60: (task.reason ?? "").slice(0, 60),
  };
}

export const approvalHandlers: Record<string, MiHandler> = {
  "APS450MI/ApproveInvoice": (ctx) => {
    const invoice = batchOf(ctx);
    checkCommon(ctx, invoice, "Approve invoice", "22");
    if (!APPROVABLE.has(invoice.supa))
      throw new MiError(
        `Approve invoice (Option 22) cannot be used when status is ${invoice.supa}`,
        "X_00051",
        "INBN",
      );
    applyApprove(ctx.data, invoice, "MISVC", "mi");
    maybeDrop(approvalState(ctx.data));
    return [];
  },
  "APS450MI/RejectInvoice": (ctx) => {
    const invoice = batchOf(ctx);
    checkCommon(ctx, invoice, "Reject invoice", "21");
    const supa = Number(invoice.supa);
    if (!(supa >= 30 && supa < 90))
      throw new MiError(
        `Reject invoice (Option 21) cannot be used when status is ${invoice.supa}`,
        "X_00051",
        "INBN",
      );
    const text = [opt(ctx, "SDA1"), opt(ctx, "SDA2"), opt(ctx, "SDA3")].join("");
    applyReject(ctx.data, invoice, "MISVC", "mi", text, opt(ctx, "SCRE"));
    const s = approvalState(ctx.data);
    maybeDrop(s);
    const trno = s.decisions.filter((d) => d.inbn === invoice.inbn && d.verb === "reject").length;
    return [{ INBN: String(invoice.inbn), TRNO: String(trno) }];
  },
  "APS110MI/ApproveInvoice": (ctx) => {
    const invoice = ledgerInvoice(ctx);
    const s = approvalState(ctx.data);
    // (sim choice) id and text: APS110MI's message ids are not public.
    if (s.paymentApproved.has(invoice.inbn))
      throw new MiError(`Invoice ${invoice.sino} is already approved for payment`, "APS1101");
    s.paymentApproved.add(invoice.inbn);
    touch(ctx.data, invoice, "MISVC");
    record(s, { inbn: invoice.inbn, verb: "approve", by: "MISVC", via: "mi", route: "APS110MI" });
    maybeDrop(s);
    return [];
  },
  "CMS740MI/LstPerUser": (ctx) => {
    const user = need(ctx, "USID", "User").toUpperCase();
    const divi = opt(ctx, "DIVI") || ctx.divi;
    const rows: MiRecord[] = [];
    for (const invoice of ctx.data.invoices) {
      if (divi !== "" && invoice.divi !== divi) continue;
      const task = flowTask(ctx.data, invoice);
      if (task && task.status === "pending" && task.user.toUpperCase() === user)
        rows.push(flowRow(invoice, task));
    }
    return ctx.maxrecs > 0 ? rows.slice(0, ctx.maxrecs) : rows;
  },
  "CMS740MI/Get": (ctx) => {
    const { invoice, task } = flowOf(ctx);
    return [flowRow(invoice, task)];
  },
  "CMS740MI/ApproveInvoice": (ctx) => {
    const { invoice, task } = flowOf(ctx);
    const user = flowUser(ctx, task);
    if (task.status !== "pending")
      throw new MiError(`Invoice ${invoice.sino} is already ${task.status}`, "CMS7402", "SINO");
    changedMeanwhile(ctx, invoice);
    applyFlow(ctx.data, invoice, "approve", user, "mi");
    maybeDrop(approvalState(ctx.data));
    return [];
  },
  "CMS740MI/Reject": (ctx) => {
    const { invoice, task } = flowOf(ctx);
    const user = flowUser(ctx, task);
    if (task.status !== "pending")
      throw new MiError(`Invoice ${invoice.sino} is already ${task.status}`, "CMS7402", "SINO");
    changedMeanwhile(ctx, invoice);
    applyFlow(ctx.data, invoice, "reject", user, "mi", { reason: opt(ctx, "TX60") });
    maybeDrop(approvalState(ctx.data));
    return [];
  },
  "CMS742MI/Lst": (ctx) => {
    const { task } = flowOf(ctx);
    return [...task.lines].map(([line, status]) => ({
      LINE: String(line),
      STAT: status === "approved" ? "20" : "10",
    }));
  },
  "CMS742MI/ApproveLine": (ctx) => {
    const { invoice, task } = flowOf(ctx);
    const user = flowUser(ctx, task);
    const line = Number(need(ctx, "LINE", "Line"));
    const status = task.lines.get(line);
    if (status === undefined) throw new MiError(`Line ${line} does not exist`, "CMS7403", "LINE");
    if (status === "approved" || task.status !== "pending")
      throw new MiError(`Line ${line} is already approved`, "CMS7402", "LINE");
    changedMeanwhile(ctx, invoice);
    applyFlow(ctx.data, invoice, "approve_line", user, "mi", { line });
    maybeDrop(approvalState(ctx.data));
    return [];
  },
};

/** GetHead with the approval fields the generated data does not carry (AAPD, SCRE, REJD, SDA1–3). */
export function withApprovalFields(getHead: MiHandler): MiHandler {
  return (ctx) =>
    getHead(ctx).map((row) => {
      const inbn = Number(opt(ctx, "INBN"));
      const s = approvalState(ctx.data);
      const rej = s.rejection.get(inbn);
      return {
        ...row,
        AAPD: s.approvedOn.get(inbn) ?? "",
        ...(rej
          ? { SCRE: rej.scre, REJD: rej.rejd, SDA1: rej.sda[0], SDA2: rej.sda[1], SDA3: rej.sda[2] }
          : {}),
      };
    });
}
