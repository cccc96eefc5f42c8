import type { DecisionDeps, DecisionOutcome } from "./decide.ts";
import { precheck } from "./decide.ts";
import { erpAudit } from "./erp-decide.ts";
import type { ErpWriter } from "./erp-write-back.ts";

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
