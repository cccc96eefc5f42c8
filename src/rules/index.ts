/**
 * Pure business rules: three-way match exceptions, routing to cost-center channels, exception
 * lifecycle and approval policy. No I/O: callers pass records and policies in.
 */

export { exceptionPayload } from "./alert-payload.ts";
export {
  type ApprovalCheck,
  type ApprovalPolicy,
  type ApproverBand,
  bandCovers,
  canApprove,
  type EligibleApprovers,
  eligibleApprovers,
} from "./approval-policy.ts";
export { normalizeInvoiceNumber } from "./duplicates.ts";
export {
  type DecisionAction,
  EXCEPTION_RULES,
  type ExceptionRef,
  type ExceptionRule,
  exceptionId,
  type MatchException,
  RULE_META,
  type Severity,
} from "./exception.ts";
export {
  diffExceptions,
  type ExceptionDiff,
  type ResolutionCode,
  type ResolvedException,
  type StillOpen,
} from "./lifecycle.ts";
export { type MatchInput, matchInvoice } from "./match-invoice.ts";
export {
  BUILTIN_MATCH_SETTINGS,
  type CompanyMatchPolicy,
  type MatchMode,
  type MatchPolicy,
  type MatchSettings,
  type MatchSettingsPatch,
  type PriceTolerance,
  resolveMatchSettings,
} from "./match-policy.ts";
export {
  type CompanyRouting,
  costCenterOf,
  type Route,
  type RouteMatch,
  type RouteTarget,
  type RoutingPolicy,
  type RoutingScope,
  routeCostCenter,
  routeException,
  routeRecord,
} from "./routing.ts";
