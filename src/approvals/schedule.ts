import type { Approval } from "./types.ts";

/** Hours after creation; a missing value turns that step off. */
export interface ApprovalSchedule {
  remindAfterHours?: number;
  escalateAfterHours?: number;
  expireAfterHours?: number;
}

export type ScheduledStep = "remind" | "escalate" | "expire";

const HOUR_MS = 3_600_000;

/**
 * What is due for one open approval at `now`: at most one step, the furthest along (an approval
 * found past its expiry after downtime expires at once instead of being reminded first).
 */
export function dueStep(
  approval: Approval,
  schedule: ApprovalSchedule,
  now: number,
): ScheduledStep | undefined {
  const waiting = approval.state === "info_requested";
  if (
    !waiting &&
    approval.state !== "pending" &&
    approval.state !== "hold" &&
    approval.state !== "escalated"
  ) {
    return undefined;
  }
  const age = now - Date.parse(approval.createdAt);
  if (!Number.isFinite(age)) return undefined;
  const past = (hours: number | undefined) => hours !== undefined && age >= hours * HOUR_MS;
  if (past(schedule.expireAfterHours)) return "expire";
  // The approvers wait for someone's answer: reminding or escalating them would nag the wrong
  // people. The document still expires on time.
  if (waiting) return undefined;
  if (past(schedule.escalateAfterHours) && approval.state !== "escalated") return "escalate";
  if (past(schedule.remindAfterHours) && approval.remindedAt === undefined) return "remind";
  return undefined;
}

/** When the next step is due (epoch ms), for the scheduler to sleep until; undefined = none. */
export function nextDueAt(approval: Approval, schedule: ApprovalSchedule): number | undefined {
  const created = Date.parse(approval.createdAt);
  if (!Number.isFinite(created)) return undefined;
  const candidates: number[] = [];
  if (schedule.remindAfterHours !== undefined && approval.remindedAt === undefined) {
    candidates.push(created + schedule.remindAfterHours * HOUR_MS);
  }
  if (schedule.escalateAfterHours !== undefined && approval.state !== "escalated") {
    candidates.push(created + schedule.escalateAfterHours * HOUR_MS);
  }
  if (schedule.expireAfterHours !== undefined) {
    candidates.push(created + schedule.expireAfterHours * HOUR_MS);
  }
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}
