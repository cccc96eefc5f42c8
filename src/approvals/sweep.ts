import { type ApprovalSchedule, dueStep } from "./schedule.ts";
import type { ApprovalStore } from "./store.ts";
import type { Approval, AuditFn } from "./types.ts";

/** What people see when a step fires; the Slack side implements it (thread reply, update). */
export interface ApprovalNotifier {
  remind(approval: Approval): Promise<void>;
  escalate(approval: Approval): Promise<void>;
  expire(approval: Approval): Promise<void>;
}

export interface SweepDeps {
  store: ApprovalStore;
  schedule: ApprovalSchedule;
  notify: ApprovalNotifier;
  audit: AuditFn;
  clock?: () => number;
  /** How many open approvals one sweep looks at. */
  limit?: number;
}

export interface SweepResult {
  reminded: number;
  escalated: number;
  expired: number;
}

/**
 * The scheduler calls this every few minutes (any number of replicas may): each step is claimed
 * atomically (HSETNX for reminders, the Lua transition for escalation and expiry), so it fires once.
 */
export async function runApprovalSweep(deps: SweepDeps): Promise<SweepResult> {
  const clock = deps.clock ?? Date.now;
  const result: SweepResult = { reminded: 0, escalated: 0, expired: 0 };
  for (const approval of await deps.store.listOpen(deps.limit ?? 500)) {
    const step = dueStep(approval, deps.schedule, clock());
    if (step === undefined) continue;
    const at = new Date(clock()).toISOString();
    const base = { approvalId: approval.id, alertId: approval.alertId, actor: "system", at };
    if (step === "remind") {
      if (!(await deps.store.markReminded(approval.id))) continue;
      await deps.audit({ type: "approval.reminded", ...base });
      await deps.notify.remind(approval);
      result.reminded += 1;
      continue;
    }
    const moved = await deps.store.transition(approval.id, step, "system");
    if (!moved.ok) continue;
    if (step === "escalate") {
      await deps.audit({ type: "approval.escalated", ...base, state: "escalated" });
      await deps.notify.escalate(moved.approval);
      result.escalated += 1;
    } else {
      await deps.audit({ type: "approval.expired", ...base, state: "expired" });
      await deps.notify.expire(moved.approval);
      result.expired += 1;
    }
  }
  return result;
}
