import { closeAsDecidedInErp } from "./erp-decide.ts";
import type { ErpAdapter, ErpMode, ErpState } from "./erp-types.ts";
import type { ErpWriter } from "./erp-write-back.ts";
import type { ApprovalStore } from "./store.ts";
import type { Approval, AuditFn } from "./types.ts";

/**
 * One poll of M3 for the open approvals: a decision taken in M3 (or in Infor's own apps) closes
 * the Slack approval with "decided in M3 by …"; a decision of ours whose answer was lost (or whose
 * worker died after M3 applied it) is completed as the Slack user's, from the stored intent.
 */
export interface ReflectDeps {
  store: ApprovalStore;
  writer: ErpWriter;
  adapterFor: (tenant: string) => ErpAdapter | undefined;
  modeFor: (tenant: string) => ErpMode;
  audit: AuditFn;
  /** Edit the Slack message of an approval that changed (the caller renders it). */
  onChanged: (approval: Approval, line: ReflectedLine) => Promise<void>;
  clock?: () => number;
  /** Open approvals read per poll (oldest first). */
  limit?: number;
  /** Parallel M3 reads (the ION budget is shared with the pollers). */
  concurrency?: number;
}

export type ReflectedLine =
  | { kind: "decided_in_erp"; state: "approved" | "rejected"; detail: string }
  | { kind: "completed"; state: "approved" | "rejected"; by: string };

export interface ReflectReport {
  checked: number;
  decidedInErp: number;
  completed: number;
  unreadable: number;
}

export async function reflectErpDecisions(deps: ReflectDeps): Promise<ReflectReport> {
  const now = () => new Date((deps.clock ?? Date.now)()).toISOString();
  const open = await deps.store.listOpen(deps.limit ?? 500);
  const report: ReflectReport = { checked: 0, decidedInErp: 0, completed: 0, unreadable: 0 };
  const queue = open.filter((a) => deps.modeFor(a.tenant) !== "off" && a.kind === "invoice");
  const workers = Array.from({ length: deps.concurrency ?? 4 }, async () => {
    for (let a = queue.shift(); a; a = queue.shift()) await one(a);
  });
  await Promise.all(workers);
  return report;

  async function one(a: Approval): Promise<void> {
    const adapter = deps.adapterFor(a.tenant);
    if (!adapter) return;
    report.checked++;
    let state: ErpState;
    try {
      const found = await adapter.routeFor(a);
      if (!found.ok) {
        if ("unreadable" in found) report.unreadable++;
        return;
      }
      state = await found.route.state();
    } catch {
      report.unreadable++;
      return;
    }
    if (state.status === "pending") return;
    const intent = await deps.writer.intent(a.id);
    const ours =
      intent !== undefined &&
      (intent.verb === "reject" ? "rejected" : "approved") === state.status &&
      intent.verb !== "approve_line";
    if (ours && intent) {
      const verb = intent.verb === "reject" ? "reject" : "approve";
      const moved = await deps.store.transition(a.id, verb, intent.actor, intent.reason);
      if (!moved.ok) return;
      report.completed++;
      await deps.audit({
        type: "approval.decided",
        approvalId: a.id,
        alertId: a.alertId,
        recordKey: a.recordKey,
        actor: intent.actor,
        at: moved.approval.decidedAt ?? now(),
        state: moved.approval.state,
        ...(intent.reason ? { reason: intent.reason } : {}),
        code: "erp_confirmed_later",
      });
      await deps.onChanged(moved.approval, {
        kind: "completed",
        state: state.status,
        by: intent.actor,
      });
      return;
    }
    const closed = await closeAsDecidedInErp(
      deps,
      a,
      {
        state: state.status,
        ...(state.by ? { by: state.by } : {}),
        ...(state.detail ? { detail: state.detail } : {}),
      },
      "system",
      now,
    );
    if (closed.kind !== "superseded" || closed.approval.state !== "superseded") return;
    report.decidedInErp++;
    await deps.onChanged(closed.approval, {
      kind: "decided_in_erp",
      state: state.status,
      detail: closed.detail ?? "decided in M3",
    });
  }
}
