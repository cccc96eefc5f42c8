import { erpStep } from "./erp-decide.ts";
import { erpLineStep } from "./erp-line.ts";
import type { ErpWriter } from "./erp-write-back.ts";
import type { ApprovalPolicy } from "./policy.ts";
import type { ApprovalStore } from "./store.ts";
import type { Approval, ApprovalState, AuditFn } from "./types.ts";
import { approvalEvent, isOpen } from "./types.ts";
import { type WriteBackOutcome, type WriteBackSink, writeBack } from "./write-back.ts";

/** The ERP's view of the document at click time. */
export type RecheckResult =
  | { changed: false }
  | {
      changed: true;
      /** What happened in the ERP meanwhile. */
      status: "approved" | "rejected" | "paid" | "changed" | "cancelled";
      detail?: string;
    };

/**
 * Throw from a RecheckFn when the ERP cannot tell whether the document still stands; `reason`
 * is shown to the approver (no secrets, no raw upstream text).
 */
export class RecheckError extends Error {
  readonly reason: string;
  readonly code: string;
  constructor(code: string, reason: string) {
    super(reason);
    this.name = "RecheckError";
    this.code = code;
    this.reason = reason;
  }
}

/** The ERP's view at click time; throws when it cannot be had (then nothing is decided). */
export type RecheckFn = (approval: Approval) => Promise<RecheckResult>;

export interface DecisionDeps {
  store: ApprovalStore;
  policy: ApprovalPolicy;
  recheck: RecheckFn;
  audit: AuditFn;
  writeBack?: WriteBackSink;
  /** Writes approve/reject to the ERP before Slack records it (per-tenant mode off/shadow/on). */
  erp?: ErpWriter;
  /** ERP user behind a Slack user, where the routing file maps them (segregation of duties). */
  erpUserFor?: (slackUserId: string) => Promise<string | undefined>;
  clock?: () => number;
}

export type HumanVerb = "approve" | "reject" | "hold";

export type DecisionOutcome =
  | {
      kind: "done";
      approval: Approval;
      writeBack: WriteBackOutcome;
      onBehalfOf?: string;
      /** What the ERP did or could not do, for the clicker (line decisions). */
      note?: string;
    }
  | { kind: "not_found" }
  | { kind: "already"; approval: Approval; state: ApprovalState; by: string; at: string }
  | { kind: "refused"; code: string; message: string; approval: Approval }
  | { kind: "superseded"; approval: Approval; erpStatus: string; detail?: string }
  | { kind: "reason_required" }
  | { kind: "recheck_failed"; approval: Approval; reason: string };

/** Checks that do not change anything: the approval exists, is open, and the user may act. */
export async function precheck(
  deps: DecisionDeps,
  approvalId: string,
  actor: string,
  verb: HumanVerb | "request_info",
): Promise<DecisionOutcome | { kind: "ok"; approval: Approval; onBehalfOf?: string }> {
  const approval = await deps.store.get(approvalId);
  if (!approval) return { kind: "not_found" };
  if (
    !isOpen(approval.state) ||
    (verb === "hold" && approval.state === "hold") ||
    // One open question at a time; hold is not offered while one waits either.
    ((verb === "request_info" || verb === "hold") && approval.state === "info_requested")
  ) {
    return {
      kind: "already",
      approval,
      state: approval.state,
      by: approval.decidedBy ?? "",
      at: approval.decidedAt ?? "",
    };
  }
  const now = new Date((deps.clock ?? Date.now)()).toISOString();
  const refuse = async (code: string, message: string): Promise<DecisionOutcome> => {
    await deps.audit(approvalEvent("approval.refused", approval, actor, now, code));
    return { kind: "refused", code, message, approval };
  };
  const decision = await deps.policy.authorize(actor, approval);
  if (!decision.allowed) return refuse(decision.code, decision.message);
  if (verb === "approve" && (await enteredBySameUser(deps, approval, actor))) {
    return refuse(
      "segregation_of_duties",
      "You entered this document, so someone else has to approve it (segregation of duties).",
    );
  }
  // A delegate decides within the approver's bands; the audit and the stamp name the approver.
  return decision.onBehalfOf === undefined
    ? { kind: "ok", approval }
    : { kind: "ok", approval, onBehalfOf: decision.onBehalfOf };
}

async function enteredBySameUser(deps: DecisionDeps, approval: Approval, actor: string) {
  if (approval.enteredBySlackId !== undefined && approval.enteredBySlackId === actor) return true;
  if (approval.enteredBy === undefined || !deps.erpUserFor) return false;
  const erpUser = await deps.erpUserFor(actor);
  return erpUser !== undefined && erpUser.toUpperCase() === approval.enteredBy.toUpperCase();
}

/**
 * One human decision: authorize, read the ERP again, move the state exactly once, audit,
 * and write back when a sink is configured. Slack rendering is the caller's job.
 */
export async function decide(
  deps: DecisionDeps,
  input: {
    approvalId: string;
    verb: HumanVerb;
    actor: string;
    reason?: string;
    /**
     * `line`: the decision of one exception line of an invoice's message (M3 line approval where
     * the tenant runs its flow). `covered`: a line of a whole-invoice decision whose ERP write
     * an earlier line of the same click made (the invoice is decided in M3 as a whole).
     */
    scope?: "line" | "covered";
  },
): Promise<DecisionOutcome> {
  const reason = input.reason?.trim() ?? "";
  if (input.verb === "reject" && reason === "") return { kind: "reason_required" };

  const checked = await precheck(deps, input.approvalId, input.actor, input.verb);
  if (checked.kind !== "ok") return checked;
  const now = () => new Date((deps.clock ?? Date.now)()).toISOString();

  let erp: RecheckResult;
  try {
    // A covered line was read with the invoice's first line moments ago, and that line's
    // decision may have moved the invoice in M3 already: no second read.
    erp = input.scope === "covered" ? { changed: false } : await deps.recheck(checked.approval);
  } catch (err) {
    const code = err instanceof RecheckError ? err.code : "erp_unreadable";
    await deps.audit(approvalEvent("approval.refused", checked.approval, input.actor, now(), code));
    return {
      kind: "recheck_failed",
      approval: checked.approval,
      reason: err instanceof RecheckError ? err.reason : "Infor could not be read",
    };
  }
  if (erp.changed) {
    const entry = {
      type: "approval.superseded",
      approvalId: input.approvalId,
      alertId: checked.approval.alertId,
      recordKey: checked.approval.recordKey,
      actor: input.actor,
      code: `erp_${erp.status}`,
    } as const;
    const moved = await deps.store.transition(
      input.approvalId,
      "supersede",
      "system",
      erp.status,
      entry,
    );
    if (!moved.ok || !moved.audited) await deps.audit({ ...entry, at: now() });
    const approval = moved.ok ? moved.approval : checked.approval;
    return erp.detail === undefined
      ? { kind: "superseded", approval, erpStatus: erp.status }
      : { kind: "superseded", approval, erpStatus: erp.status, detail: erp.detail };
  }

  let erpWriteBack: WriteBackOutcome | undefined;
  let note: string | undefined;
  if (input.verb !== "hold" && input.scope !== "covered") {
    const erpInput = { verb: input.verb, actor: input.actor, reason };
    const step =
      input.scope === "line"
        ? await erpLineStep(deps, checked.approval, erpInput, now)
        : await erpStep(deps, checked.approval, erpInput, now);
    if (step.kind !== "proceed") return step;
    if (step.writeBack.status !== "disabled" || step.writeBack.erpMode)
      erpWriteBack = step.writeBack;
    note = step.note;
  }

  // The decision and its audit entry land in one step when the store can write the entry.
  const decided = {
    type: "approval.decided",
    approvalId: input.approvalId,
    alertId: checked.approval.alertId,
    recordKey: checked.approval.recordKey,
    actor: input.actor,
    ...(reason ? { reason } : {}),
    ...(checked.onBehalfOf ? { onBehalfOf: checked.onBehalfOf } : {}),
  } as const;
  const result = await deps.store.transition(
    input.approvalId,
    input.verb,
    input.actor,
    reason,
    decided,
  );
  if (!result.ok) {
    if (result.code === "not_found") return { kind: "not_found" };
    return {
      kind: "already",
      approval: checked.approval,
      state: result.state,
      by: result.by,
      at: result.at,
    };
  }
  const approval = result.approval;
  if (!result.audited) {
    await deps.audit({ ...decided, at: approval.decidedAt ?? now(), state: approval.state });
  }
  const wb =
    approval.state === "approved" || approval.state === "rejected"
      ? await writeBack(deps.writeBack, approval)
      : ({ status: "disabled" } as const);
  if (wb.status !== "disabled") {
    await deps.audit({
      type: "approval.writeback",
      approvalId: approval.id,
      actor: "system",
      at: now(),
      code: wb.status === "failed" ? wb.code : wb.status,
    });
  }
  return {
    kind: "done",
    approval,
    writeBack: erpWriteBack ?? wb,
    ...(checked.onBehalfOf ? { onBehalfOf: checked.onBehalfOf } : {}),
    ...(note ? { note } : {}),
  };
}
