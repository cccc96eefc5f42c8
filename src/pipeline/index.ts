/** Three-way match exceptions wired between sync, rules, approvals and delivery. */
export { exceptionRecordKey, openedAlert, resolvedAlert } from "./alerts.ts";
export {
  approvalHooks,
  createExceptionPipeline,
  type ExceptionPipeline,
  type ExceptionPipelineOptions,
} from "./compose.ts";
export { PipelineError, type PipelineErrorCode } from "./errors.ts";
export {
  createExceptionTracker,
  type ExceptionTracker,
  type ExceptionTrackerOptions,
  type RecheckResult,
  type TriggerContext,
} from "./exception-tracker.ts";
export {
  lookupsFromSources,
  type MatchLookupOptions,
  type MatchSource,
  type MatchSourceFor,
} from "./lookups.ts";
export { dependencyTokens, type PlanAction, planInvoice } from "./plan.ts";
export type {
  InvoiceScope,
  InvoiceState,
  LookupResult,
  MatchLookups,
  OpenEntry,
} from "./types.ts";
