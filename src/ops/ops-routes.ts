import type { Logger } from "pino";
import { type BodHandlerOptions, bodRoute } from "./bod/handler.ts";
import type { Health } from "./health.ts";
import type { Metrics } from "./metrics.ts";
import { type PushHandlerOptions, pushRoute } from "./push/handler.ts";
import { type HttpRoute, metricsRoute } from "./routes.ts";

/**
 * Every ops route for one process: `/healthz`, `/readyz`, `/metrics`, and `POST /ion/bod` when BOD
 * ingestion is configured (role web). Pass the result as Bolt's `customRoutes`, or to
 * `startOpsServer` for roles without Bolt.
 */
export function opsRoutes(deps: {
  health: Health;
  metrics: Metrics;
  bod?: BodHandlerOptions;
  /** `POST /m3/events` (M3 Event Subscriber web service) when push is configured. */
  push?: PushHandlerOptions;
  logger?: Logger;
}): HttpRoute[] {
  const routes = [...deps.health.routes(), metricsRoute(deps.metrics.registry, deps.logger)];
  if (deps.bod) {
    routes.push(
      bodRoute({
        ...deps.bod,
        metrics: deps.bod.metrics ?? deps.metrics,
        ...(deps.logger && !deps.bod.logger ? { logger: deps.logger } : {}),
      }),
    );
  }
  if (deps.push) {
    routes.push(
      pushRoute({
        ...deps.push,
        metrics: deps.push.metrics ?? deps.metrics,
        ...(deps.logger && !deps.push.logger ? { logger: deps.logger } : {}),
      }),
    );
  }
  return routes;
}
