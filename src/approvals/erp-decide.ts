import { codeOf } from "../shared/error-code.ts";
import type { DecisionDeps, DecisionOutcome } from "./decide.ts";
import type { ErpWriteOutcome } from "./erp-types.ts";
import type { ErpWriter } from "./erp-write-back.ts";
import { type Approval, approvalEvent } from "./types.ts";
import type { WriteBackOutcome } from "./write-back.ts";

/**
 * The ERP step of a decision, run after the click-time recheck and BEFORE the Slack state moves:
 * M3 is the authority, so a refusal there leaves the approval open and the message as it was,
 * and a decision M3 already shows closes the approval as "decided in M3".
 */
export type ErpStep =
  | {
      kind: "proceed";
      writeBack: WriteBackOutcome;
      /** One line for the clicker about what the ERP did or could not do (line decisions). */
      note?: string;
    }
  | DecisionOutcome;

export async function erpStep(
  deps: DecisionDeps & { erp?: ErpWriter },
  approval: Approval,
  input: { verb: "approve" | "reject"; actor: string; reason: string },
  now: () => string,
): Promise<ErpStep> {
  if (!deps.erp) return { kind: "proceed", writeBack: { status: "disabled" } };
  const erpUser = deps.erpUserFor ? await deps.erpUserFor(input.actor) : undefined;
  let out: ErpWriteOutcome;
  try {
    out = await deps.erp.write({
      approval,
      verb: input.verb,
      actor: input.actor,
      ...(erpUser ? { erpUser } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
    });
  } catch (err) {
    out = { status: "unknown", reason: codeOf(err) ?? "erp_error" };
  }
  const audit = (code: string, type: ErpAuditType) =>
    erpAudit(deps, approval, input.actor, now)(type, code);
  switch (out.status) {
    case "off":
      return { kind: "proceed", writeBack: { status: "disabled", erpMode: "off" } };
    case "shadow":
      await audit("shadow", "approval.writeback");
      return { kind: "proceed", writeBack: { status: "disabled", erpMode: "shadow" } };
    case "no_route":
      await audit("no_route", "approval.writeback");
      return { kind: "proceed", writeBack: { status: "failed", code: "no_route" } };
    case "written":
      await audit(`written:${out.route}`, "approval.writeback");
      return { kind: "proceed", writeBack: { status: "written" } };
    case "refused":
      await audit(`erp_${out.code}`, "approval.refused");
      return {
        kind: "refused",
        code: `erp_${out.code}`,
        message: `M3 refused it: ${out.message}. The message keeps M3's state.`,
        approval,
      };
    case "decided_in_erp":
      return closeAsDecidedInErp(deps, approval, out, input.actor, now);
    case "unknown":
    case "in_progress":
      await audit(
        out.status === "unknown" ? "erp_unconfirmed" : "erp_in_progress",
        "approval.refused",
      );
      return {
        kind: "refused",
        code: out.status === "unknown" ? "erp_unconfirmed" : "erp_in_progress",
        message:
          out.status === "unknown"
            ? "M3 did not confirm the decision yet, so nothing is recorded here. The message will show M3's answer as soon as M3 can be read."
            : "This decision is being written to M3 right now.",
        approval,
      };
  }
}

export type ErpAuditType = "approval.writeback" | "approval.refused";

/** The audit line of an ERP write (or its refusal) for one approval and actor, stamped `now()`. */
export function erpAudit(
  deps: Pick<DecisionDeps, "audit">,
  approval: Approval,
  actor: string,
  now: () => string,
) {
  return (type: ErpAuditType, code: string) =>
    deps.audit(approvalEvent(type, approval, actor, now(), code));
}

/** "Decided in M3 by …": the approval closes without a Slack decision; the line says who. */
export async function closeAsDecidedInErp(
  deps: Pick<DecisionDeps, "store" | "audit">,
  approval: Approval,
  out: { state: "approved" | "rejected"; by?: string; detail?: string },
  actor: string,
  now: () => string,
): Promise<DecisionOutcome> {
  const detail = `decided in M3${out.by ? ` by ${out.by}` : ""}${out.detail ? `, ${out.detail}` : ""}`;
  const entry = {
    type: "approval.superseded",
    approvalId: approval.id,
    alertId: approval.alertId,
    recordKey: approval.recordKey,
    actor,
    code: `erp_${out.state}`,
    reason: detail,
  } as const;
  const moved = await deps.store.transition(approval.id, "supersede", "system", detail, entry);
  // A close that moved nothing (the poll and the changed-record check saw the same decision, or
  // a click and a check did) was written by whoever moved it: a second entry would say it twice.
  if (moved.ok && !moved.audited) await deps.audit({ ...entry, at: now() });
  return {
    kind: "superseded",
    approval: moved.ok ? moved.approval : approval,
    erpStatus: out.state,
    detail,
  };
}
