export { createPendingApproval } from "./create-pending.ts";
export {
  type DecisionDeps,
  type DecisionOutcome,
  decide,
  precheck,
  RecheckError,
  type RecheckFn,
  type RecheckResult,
} from "./decide.ts";
export { approvalDecisions } from "./decisions.ts";
export {
  type ApprovalPolicy,
  createRoutingPolicy,
  type PolicyDecision,
  type UserGroupMembers,
} from "./policy.ts";
export { erpUserMapping, scheduleFromRouting } from "./routing-adapters.ts";
export { type ApprovalSchedule, dueStep, nextDueAt } from "./schedule.ts";
export {
  type ApprovalStore,
  approvalIdFor,
  createApprovalStore,
  type TransitionResult,
} from "./store.ts";
export { type ApprovalNotifier, runApprovalSweep, type SweepDeps } from "./sweep.ts";
export * from "./types.ts";
export { createUserGroupResolver } from "./usergroups.ts";
export { type WriteBackSink, writeBack } from "./write-back.ts";
