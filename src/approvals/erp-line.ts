import { codeOf } from "../shared/error-code.ts";
import type { DecisionDeps, DecisionOutcome } from "./decide.ts";
import { precheck } from "./decide.ts";
import { closeAsDecidedInErp, type ErpStep, erpAudit } from "./erp-decide.ts";
import type { ErpWriteOutcome } from "./erp-types.ts";
import type { ErpWriter } from "./erp-write-back.ts";
import type { Approval } from "./types.ts";

/**
 * Approve one invoice line in M3's approval flow (CMS742MI). The approval stays open in Slack
 * until M3 shows the whole invoice approved (the last line); each line is written once, with the
 * same intent-before-call rule as whole decisions (the intent is per approval and line).
 */
export type LineOutcome =
  | { kind: "line_written"; line: number; invoiceApproved: boolean }
  | DecisionOutcome;

export async function decideLine(
  deps: DecisionDeps & { erp: ErpWriter },
  input: { approvalId: string; line: number; actor: string },
): Promise<LineOutcome> {
  const checked = await precheck(deps, input.approvalId, input.actor, "approve");
  if (checked.kind !== "ok") return checked;
  const now = () => new Date((deps.clock ?? Date.now)()).toISOString();
  const approval = checked.approval;
  const erpUser = deps.erpUserFor ? await deps.erpUserFor(input.actor) : undefined;
  // One intent per line: the writer keys intents by approval id, so each line gets its own id.
  const out = await deps.erp.write({
    approval: { ...approval, id: `${approval.id}:line:${input.line}` },
    verb: "approve_line",
    actor: input.actor,
    line: input.line,
    ...(erpUser ? { erpUser } : {}),
  });
  const audit = erpAudit(deps, approval, input.actor, now);
  switch (out.status) {
    case "written": {
      await audit("approval.writeback", `line_written:${input.line}`);
      return { kind: "line_written", line: input.line, invoiceApproved: false };
    }
    case "decided_in_erp":
      // The line was approved in M3 by someone else (the invoice itself stays open until its
      // last line; the reflection poll closes it then).
      await audit("approval.refused", "erp_line_already_approved");
      return {
        kind: "refused",
        code: "erp_line_already_approved",
        message: `Line ${input.line} is already approved in M3.`,
        approval,
      };
    case "refused":
      await audit("approval.refused", `erp_${out.code}`);
      return {
        kind: "refused",
        code: `erp_${out.code}`,
        message: `M3 refused it: ${out.message}.`,
        approval,
      };
    default:
      await audit("approval.refused", `erp_line_${out.status}`);
      return {
        kind: "refused",
        code: `erp_line_${out.status}`,
        message:
          out.status === "no_route"
            ? `Line approval is not available for this invoice: ${out.reason}.`
            : "M3 did not confirm the line approval yet; nothing is recorded here.",
        approval,
      };
  }
}

/**
 * The ERP step of a decision on ONE exception line of an invoice's message (the line's own
 * Approve / Reject), run after the click-time recheck and before the Slack state moves.
 * - Approve, write-back on, and the invoice in M3's approval flow: CMS742MI approves that invoice
 *   line (own intent per approval and line: exactly once). M3 refuses → nothing recorded; M3
 *   shows the line approved already → the line closes as "decided in M3".
 * - A route without line approval (APS110MI, APS450MI, SyteLine) or write-back off / shadow: the
 *   decision is recorded in Slack only, and the clicker is told so.
 * - Reject: M3 publishes no line rejection (CMS740MI `Reject` is for the whole invoice), so a
 *   line's rejection is Slack's only; "Reject invoice…" sends the whole invoice back in M3.
 */
export async function erpLineStep(
  deps: DecisionDeps & { erp?: ErpWriter },
  approval: Approval,
  input: { verb: "approve" | "reject"; actor: string },
  now: () => string,
): Promise<ErpStep> {
  if (!deps.erp) return { kind: "proceed", writeBack: { status: "disabled" } };
  const mode = deps.erp.mode(approval.tenant);
  if (mode === "off") return { kind: "proceed", writeBack: { status: "disabled", erpMode: "off" } };
  const audit = (type: "approval.writeback" | "approval.refused", code: string) =>
    erpAudit(deps, approval, input.actor, now)(type, code);
  const line = approval.line ?? null;
  if (input.verb === "reject" || line === null) {
    await audit("approval.writeback", input.verb === "reject" ? "no_line_reject" : "no_line");
    return {
      kind: "proceed",
      writeBack: { status: "disabled", ...(mode === "shadow" ? { erpMode: "shadow" } : {}) },
      note:
        input.verb === "reject"
          ? "M3 has no rejection of a single line: this line is rejected in Slack only. Use “Reject invoice…” to send the whole invoice back in M3."
          : "This exception is about the whole invoice, not one line: recorded in Slack only.",
    };
  }
  const erpUser = deps.erpUserFor ? await deps.erpUserFor(input.actor) : undefined;
  let out: ErpWriteOutcome;
  try {
    out = await deps.erp.write({
      // One intent per line: the writer keys intents by approval id.
      approval: { ...approval, id: `${approval.id}:line:${line}` },
      verb: "approve_line",
      actor: input.actor,
      line,
      ...(erpUser ? { erpUser } : {}),
    });
  } catch (err) {
    out = { status: "unknown", reason: codeOf(err) ?? "erp_error" };
  }
  switch (out.status) {
    case "off":
      return { kind: "proceed", writeBack: { status: "disabled", erpMode: "off" } };
    case "shadow":
      await audit("approval.writeback", "shadow:approve_line");
      return { kind: "proceed", writeBack: { status: "disabled", erpMode: "shadow" } };
    case "no_route":
      await audit("approval.writeback", "no_line_route");
      return {
        kind: "proceed",
        writeBack: { status: "disabled" },
        note: `M3 takes no line approval for this invoice (${out.reason}): line ${line} is approved in Slack only.`,
      };
    case "written":
      await audit("approval.writeback", `written:${out.route}:line:${line}`);
      return { kind: "proceed", writeBack: { status: "written" } };
    case "decided_in_erp":
      return closeAsDecidedInErp(
        deps,
        approval,
        { state: out.state, ...(out.by ? { by: out.by } : {}), detail: `line ${line}` },
        input.actor,
        now,
      );
    case "refused":
      await audit("approval.refused", `erp_${out.code}`);
      return {
        kind: "refused",
        code: `erp_${out.code}`,
        message: `M3 refused line ${line}: ${out.message}. The line keeps M3's state.`,
        approval,
      };
    case "unknown":
    case "in_progress":
      await audit(
        "approval.refused",
        out.status === "unknown" ? "erp_unconfirmed" : "erp_in_progress",
      );
      return {
        kind: "refused",
        code: out.status === "unknown" ? "erp_unconfirmed" : "erp_in_progress",
        message:
          out.status === "unknown"
            ? `M3 did not confirm line ${line} yet, so nothing is recorded here.`
            : `Line ${line} is being written to M3 right now.`,
        approval,
      };
  }
}
