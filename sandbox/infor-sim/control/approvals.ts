import type { InvoiceRec, TenantData } from "../data/model.ts";
import { approvalState, flowTask, type SimDecision } from "../m3/approval-state.ts";
import { findInvoice } from "../m3/lookup.ts";
import { applyApprove, applyFlow, applyReject } from "../m3/tx-approval.ts";
import { ControlError } from "./records.ts";

export interface ApprovalDecisionInM3 {
  inbn: number;
  verb: "approve" | "reject" | "approve_line";
  /** The M3 user who decides (shown in Slack as "decided in M3 by …"). */
  user: string;
  reason?: string;
  line?: number;
}

export interface ApprovalSimSettings {
  /** Lose the answer of the next N approve/reject calls after applying them. */
  dropNext?: number;
  /** Probability 0..1 of losing an approve/reject answer after applying it. */
  dropRate?: number;
  /** ERP users (or `DIVI:<division>` for the service account) M3 refuses as approvers. */
  deniedUsers?: string[];
  /** Batches another user saves during the next approve/reject call (answers XUP0001). */
  changeNext?: number[];
}

export interface ApprovalSnapshot {
  decisions: SimDecision[];
  /** Per batch: SUPA, and the approval-flow task status where the invoice is in the flow. */
  invoices: Record<string, { supa: string; flow?: string; decidedBy?: string }>;
}

/** Control of the approval side: decisions taken "in M3" and the faults of the approve call. */
export interface ApprovalControl {
  decideInM3(d: ApprovalDecisionInM3, tenant?: string): void;
  configure(settings: ApprovalSimSettings, tenant?: string): void;
  snapshot(tenant?: string, inbns?: number[]): ApprovalSnapshot;
}

export function createApprovalControl(
  dataOf: (tenant?: string) => TenantData,
  onDecided: (invoice: InvoiceRec, tenant?: string) => void = () => {},
): ApprovalControl {
  return {
    decideInM3(d, tenant) {
      const data = dataOf(tenant);
      const invoice = findInvoice(data, d.inbn);
      if (!invoice)
        throw new ControlError("not_found", `invoice batch ${d.inbn} does not exist`, 404);
      const user = d.user.trim().toUpperCase() || "M3USER";
      if (flowTask(data, invoice)) {
        applyFlow(data, invoice, d.verb, user, "m3", {
          ...(d.reason !== undefined ? { reason: d.reason } : {}),
          ...(d.line !== undefined ? { line: d.line } : {}),
        });
      } else if (d.verb === "reject") applyReject(data, invoice, user, "m3", d.reason ?? "");
      else applyApprove(data, invoice, user, "m3");
      onDecided(invoice, tenant);
    },
    configure(settings, tenant) {
      const s = approvalState(dataOf(tenant));
      if (settings.dropNext !== undefined) s.dropNext = settings.dropNext;
      if (settings.dropRate !== undefined) s.dropRate = settings.dropRate;
      if (settings.deniedUsers)
        s.deniedUsers = new Set(settings.deniedUsers.map((u) => u.toUpperCase()));
      for (const inbn of settings.changeNext ?? []) s.changeNext.add(inbn);
    },
    snapshot(tenant, inbns) {
      const data = dataOf(tenant);
      const s = approvalState(data);
      const wanted = inbns ? new Set(inbns) : undefined;
      const invoices: ApprovalSnapshot["invoices"] = {};
      for (const invoice of data.invoices) {
        if (wanted && !wanted.has(invoice.inbn)) continue;
        if (!wanted && !s.decisions.some((d) => d.inbn === invoice.inbn)) continue;
        const task = s.flow.get(invoice.inbn);
        invoices[String(invoice.inbn)] = {
          supa: invoice.supa,
          ...(task ? { flow: task.status } : {}),
          ...(task?.decidedBy ? { decidedBy: task.decidedBy } : {}),
        };
      }
      return { decisions: s.decisions.filter((d) => !wanted || wanted.has(d.inbn)), invoices };
    },
  };
}
