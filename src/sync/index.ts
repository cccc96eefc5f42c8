/** Public API of the sync engine (pollers, change detection, schedules, reference cache). */
export { type AlertSinkDeps, createAlertSink } from "./alert-sink.ts";
export { type BackfillRequest, backfill } from "./backfill.ts";
export { canonicalJson, contentHash, DEFAULT_VOLATILE_FIELDS } from "./canonical.ts";
export type { SyncDeps, SyncMetrics } from "./deps.ts";
export { alertIdFor, type Detection, detectChange, type StoredVersion } from "./detect.ts";
export type { FieldChange } from "./diff.ts";
export { SyncError, type SyncErrorCode } from "./errors.ts";
export { type RoutingScheduleOptions, schedulesFromRouting } from "./from-routing.ts";
export { type PollKey, pollKeyId, schedulerId } from "./keys.ts";
export { type PollRequest, type PollResult, runPoll } from "./poll.ts";
export { createReferenceCache, type ReferenceCache } from "./reference.ts";
export { type SyncSchedule, type SyncScheduleInput, syncScheduleSchema } from "./schedule.ts";
export {
  applySchedules,
  DEFAULT_RETRY,
  type PollJobData,
  PUSH_READ_JOB_NAME,
  type PushReadJobData,
  type RetryPolicy,
} from "./schedules.ts";
export type {
  ChangeBatch,
  ChangeEvent,
  OpsNotice,
  QuarantineBatch,
  QuarantineItem,
  RouteDecision,
  RouteFn,
  SyncSink,
} from "./sink.ts";
export type { RecordSource, SourceFactory, SourcePage, SourceReject } from "./source.ts";
export type { KeyStatus, PollCounts } from "./status.ts";
export { getSyncStatus } from "./sync-status.ts";
export {
  runTargetedRead,
  type TargetedReadRequest,
  type TargetedReadResult,
} from "./targeted.ts";
export { createSyncQueue, createSyncWorker, SYNC_QUEUE, type SyncWorker } from "./worker.ts";
