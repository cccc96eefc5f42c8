import type { Logger } from "pino";
import { markReflectDue } from "../approvals/erp-due.ts";
import type { AppEnv } from "../config/env.ts";
import type { RoutingConfig } from "../config/routing-schema.ts";
import { createSlackApp } from "../slack/app.ts";
import { approvalStateFor } from "../slack/approval-state.ts";
import { lookupsFromSource } from "../slack/infor-lookups.ts";
import { bodIngest } from "./bod.ts";
import type { Core } from "./core.ts";
import { messageRefresherVia } from "./message-refresh.ts";
import type { OpsSide } from "./ops.ts";
import { allIngests, pushIngest, reflectIngest } from "./push.ts";
import { replayFn } from "./replay.ts";
import { recordUrlFor } from "./routing.ts";
import { statusProvider } from "./status.ts";
import { threadPosterVia } from "./thread-notes.ts";

const ENDPOINT = "/slack/events";

/**
 * Role web: Bolt over HTTP (or Socket Mode with an app token) with the ops routes and the BOD
 * webhook as Bolt custom routes on the configured port. Lookups read the first configured scope.
 */
export async function startWebRole(o: {
  env: AppEnv;
  routing: RoutingConfig;
  core: Core;
  ops: OpsSide;
  logger: Logger;
  port: number;
  botId?: string;
  botUserId?: string;
  bodAuth: { hmacSecrets?: string[]; bearerTokens?: string[] } | undefined;
  /** Credentials of POST /m3/events; default from PUSH_* variables. */
  pushAuth?: { hmacSecrets?: string[]; bearerTokens?: string[] } | undefined;
}): Promise<{
  url: string | undefined;
  slackRequestUrl: string | undefined;
  stop(): Promise<void>;
}> {
  const { env, routing, core } = o;
  const { infor, delivery, pipeline, sync, approvals } = core;
  const bodAuth = o.bodAuth ?? {
    hmacSecrets: env.bodHmacSecrets,
    bearerTokens: env.bodBearerTokens,
  };
  const socketMode = Boolean(env.slackAppToken);
  const tenant = infor.primaryScope.tenant;
  const routes = o.ops.routes(
    {
      auth: bodAuth,
      maxBodyBytes: env.bodMaxBytes,
      tenant,
      ingest: bodIngest({ queue: sync.queue, schedules: sync.schedules, logger: o.logger }),
      audit: (entry) => delivery.audit.append(entry),
    },
    {
      auth: o.pushAuth ?? { hmacSecrets: env.pushHmacSecrets, bearerTokens: env.pushBearerTokens },
      maxBodyBytes: env.pushMaxBytes,
      ingest: allIngests(
        // Write-back on: the decided-in-M3 check of a batch starts on its event.
        ...(routing.tenants.some((t) => t.id === tenant && t.writeBack.mode !== "off")
          ? [
              reflectIngest({
                tenant,
                markDue: (recordKey) => markReflectDue(core.redis, core.prefix, recordKey),
              }),
            ]
          : []),
        pushIngest({
          queue: sync.queue,
          schedules: sync.schedules,
          tenant,
          logger: o.logger,
        }),
      ),
    },
  );
  const lookups = lookupsFromSource(infor.sourceFor(infor.primaryScope), {
    openExceptions: (recordKey) => pipeline.openExceptions(recordKey),
    poExceptions: (po) => pipeline.poExceptions(po),
    approvalState: approvalStateFor(approvals.store),
    recordUrl: recordUrlFor(routing),
    ...(sync.deps.supplierNames ? { supplierNames: sync.deps.supplierNames } : {}),
  });
  const slack = createSlackApp({
    config: {
      signingSecret: env.slackSigningSecret,
      botToken: env.slackBotToken,
      ...(env.slackAppToken ? { appToken: env.slackAppToken } : {}),
      ...(o.botId ? { botId: o.botId } : {}),
      ...(o.botUserId ? { botUserId: o.botUserId } : {}),
      slackApiUrl: env.slackApiUrl,
      endpoint: ENDPOINT,
      ...(socketMode ? { socketModeHttpPort: o.port } : {}),
      ...(core.methodBurst !== undefined ? { methodBurst: core.methodBurst } : {}),
    },
    redis: core.redis,
    keyPrefix: core.prefix,
    logger: o.logger.child({ component: "slack" }),
    lookups,
    status: statusProvider({
      redis: core.redis,
      prefix: core.prefix,
      syncQueue: sync.queue,
      delivery: delivery,
      clients: infor.clients,
    }),
    replay: replayFn(delivery),
    admins: routing.admins,
    approvals: {
      store: approvals.store,
      policy: approvals.policy,
      recheck: approvals.recheck,
      erpUserFor: approvals.erpUserFor,
    },
    audit: core.audit,
    health: async () => {
      const r = await o.ops.health.readiness();
      return Object.entries(r.checks).map(([name, c]) => ({
        name,
        ok: c.ok,
        ...(c.ok ? {} : { detail: c.error ?? "failing" }),
      }));
    },
    threadPoster: threadPosterVia((alert) => delivery.enqueue(alert)),
    messageRefresher: messageRefresherVia(delivery, approvals.store),
    customRoutes: routes,
    metrics: o.ops.metrics,
  });
  const started = await slack.start(o.port);
  if (socketMode) {
    // Slack connects over the socket; Bolt serves the ops routes on the configured port.
    return {
      url: o.port ? `http://127.0.0.1:${o.port}` : undefined,
      slackRequestUrl: undefined,
      stop: () => slack.stop(),
    };
  }
  const url = started.port !== undefined ? `http://127.0.0.1:${started.port}` : undefined;
  return {
    url,
    slackRequestUrl: url ? `${url}${ENDPOINT}` : undefined,
    stop: () => slack.stop(),
  };
}
