export * from "./bod/index.ts";
export { bullmqQueueSnapshot, bullmqWorkerProbe, trackWorkerProgress } from "./bullmq.ts";
export {
  type CheckResult,
  ionTokenCheck,
  type ReadinessCheck,
  redisCheck,
  slackAuthCheck,
} from "./checks.ts";
export { OpsError, type OpsErrorCode } from "./errors.ts";
export { createEventLoopMonitor, type EventLoopMonitor } from "./event-loop.ts";
export {
  createHealth,
  type Health,
  type HealthOptions,
  type HealthReport,
  type WorkerProbe,
} from "./health.ts";
export * from "./metrics.ts";
export { opsRoutes } from "./ops-routes.ts";
export { ProgressTracker } from "./progress.ts";
export { createRedisProbe } from "./redis-probe.ts";
export {
  asyncHandler,
  createRouter,
  type HttpRoute,
  metricsRoute,
  type OpsServer,
  sendJson,
  startOpsServer,
} from "./routes.ts";
export {
  FEATURE_SCOPES,
  findSlackMethodCalls,
  METHOD_SCOPES,
  PENDING_METHODS,
  requiredScopes,
} from "./scopes.ts";
export * from "./shutdown.ts";
