import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  App,
  type Authorize,
  type CustomRoute,
  HTTPReceiver,
  type Receiver,
  SocketModeReceiver,
} from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import pino, { type Logger } from "pino";
import type { DecisionDeps } from "../approvals/decide.ts";
import { createDelegationStore, withDelegation } from "../approvals/delegation.ts";
import type { ApprovalStore } from "../approvals/store.ts";
import { codeOf } from "../shared/error-code.ts";
import { DEFAULT_KEY_PREFIX } from "../shared/key-prefix.ts";
import { duplicateClient, type RedisClient } from "../shared/redis-client.ts";
import { registerApprovalActions } from "./actions/approval-actions.ts";
import { registerApprovalComments } from "./actions/approval-comments.ts";
import { registerApprovalInfo } from "./actions/approval-info.ts";
import type { MessageRefresher, ThreadPoster } from "./actions/approval-messages.ts";
import { registerDocumentActions } from "./actions/document-actions.ts";
import { approvalStateFor } from "./approval-state.ts";
import type { SlackAuditFn } from "./audit-events.ts";
import { boltLogger } from "./bolt-logger.ts";
import { createLookupRunner } from "./commands/lookup-runner.ts";
import { registerInforCommand } from "./commands/register.ts";
import { dedupeEvents } from "./dedupe.ts";
import { pacedFetch } from "./destination/method-pacing.ts";
import { SlackAppError } from "./errors.ts";
import { registerBulkApprove } from "./home/bulk-approve.ts";
import { registerDelegation } from "./home/delegation-ui.ts";
import { createHomePublisher, registerHome } from "./home/home.ts";
import type { HealthProvider, LookupService, ReplayFn, StatusProvider } from "./lookup-service.ts";
import { type DoorLimits, guardSlackRequests } from "./signature-guard.ts";
import { createSlackAppStats, type SlackAppStats } from "./stats.ts";

export interface SlackAppConfig {
  /** Required for HTTP (every request is verified with it). */
  signingSecret?: string;
  botToken: string;
  /** App-level token (xapp-…): when set, the app uses Socket Mode instead of HTTP. */
  appToken?: string;
  /** Known bot ids skip `auth.test` entirely; otherwise it runs once, on the first request. */
  botId?: string;
  botUserId?: string;
  /** Web API base URL, e.g. the emulator's `http://127.0.0.1:PORT/api/`. */
  slackApiUrl?: string;
  /** HTTP path Slack posts commands, interactions and events to. */
  endpoint?: string;
  commandName?: string;
  /**
   * Refuse a signature seen before within the 5-minute window (byte-for-byte replays), shared by
   * replicas through Redis. Costs one Redis round trip before the ack; default on.
   */
  replayProtection?: boolean;
  /**
   * When the replay record cannot be written (Redis down or refusing writes): "refuse" answers
   * 503 (Slack retries), "accept" lets the verified request through without replay protection.
   */
  whenReplayCheckFails?: "refuse" | "accept";
  /** Body, header and timeout bounds of the Slack endpoint (signature-guard.ts has defaults). */
  doorLimits?: Partial<DoorLimits>;
  /** Socket Mode only: port of the small HTTP server Bolt opens for `customRoutes` (ops routes). */
  socketModeHttpPort?: number;
  /** Calls of a tiered Web API method allowed back to back (routing.yml delivery.methodBurst). */
  methodBurst?: number;
  /**
   * The sandbox emulator's faster clock for the tiered methods' budgets (a chaos run with
   * Slack's tiers on); 1, the default, against Slack. Every caller sharing the budget in Redis
   * must use the same scale.
   */
  methodTimeScale?: number;
}

/**
 * Node's own bounds for the HTTP server that carries the Slack endpoint and the ops routes.
 * Headers must arrive within 5 s and a whole request within 30 s (the BOD webhook takes up to
 * a few MB); Node checks both every `connectionsCheckingInterval`. Slack's requests carry a
 * dozen small headers: 8 KiB of header bytes (Node answers 431 beyond) and 64 lines are plenty.
 */
export const SERVER_OPTIONS = {
  headersTimeout: 5000,
  requestTimeout: 30_000,
  connectionsCheckingInterval: 1000,
  maxHeaderSize: 8 * 1024,
  keepAliveTimeout: 5000,
} as const;
const MAX_HEADERS_COUNT = 64;

export interface SlackAppDeps {
  config: SlackAppConfig;
  redis: RedisClient;
  /** Redis key prefix shared with other modules ("cs:" by default). */
  keyPrefix?: string;
  logger?: Logger;
  clock?: () => number;
  lookups: LookupService;
  status?: StatusProvider;
  replay?: ReplayFn;
  admins?: readonly string[];
  /** Approvals wiring; without it the approval buttons answer "not available". */
  approvals?: Omit<DecisionDeps, "clock" | "audit">;
  audit?: SlackAuditFn;
  health?: HealthProvider;
  /**
   * Thread replies (comments, decision notices) through delivery's queue: paced with their
   * channel and posted exactly once. Without it they are direct Web API calls (tests).
   */
  threadPoster?: ThreadPoster;
  /**
   * Decision stamps re-rendered through delivery's edit line after the immediate rewrite
   * (retried, ordered with delivery's edits of the message). Without it, the rewrite only.
   */
  messageRefresher?: MessageRefresher;
  /** Extra routes on the same HTTP server (health, metrics, webhooks). */
  customRoutes?: CustomRoute[];
  limits?: { lookupsPerMinute?: number; cacheTtlSeconds?: number };
  /** Prometheus counters from ops/metrics (structurally: anything with `inc`). */
  metrics?: {
    slackSignatureRejections?: { inc(): void };
    approvals?: { inc(labels: { outcome: "approved" | "rejected" | "denied" }): void };
  };
}

export interface SlackAppHandle {
  app: App;
  stats: SlackAppStats;
  /** Starts HTTP on `port` (0 = any free port) or Socket Mode; resolves with the bound port. */
  start(port?: number): Promise<{ port?: number }>;
  stop(): Promise<void>;
  /** Re-publish a user's Home tab (e.g. after a decision made elsewhere). */
  refreshHome(userId: string): Promise<void>;
}

const DEFAULT_ENDPOINT = "/slack/events";
/** Slack's five-minute window either way, plus a margin for clock skew between replicas. */
const REPLAY_WINDOW_SECONDS = 330;

export function createSlackApp(deps: SlackAppDeps): SlackAppHandle {
  const { config } = deps;
  const logger = deps.logger ?? pino({ level: "silent" });
  const clock = deps.clock ?? Date.now;
  const prefix = deps.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const stats = createSlackAppStats();
  const socketMode = config.appToken !== undefined && config.appToken !== "";

  if (!config.botToken) {
    throw new SlackAppError(
      "missing_bot_token",
      "SLACK_BOT_TOKEN is not set: the app cannot call Slack.",
    );
  }
  if (socketMode && !config.appToken?.startsWith("xapp-")) {
    throw new SlackAppError(
      "bad_app_token",
      "SLACK_APP_TOKEN must be an app-level token (xapp-…) for Socket Mode.",
    );
  }
  if (!socketMode && !config.signingSecret) {
    throw new SlackAppError(
      "missing_signing_secret",
      "SLACK_SIGNING_SECRET is not set: refusing to start, since requests could not be verified as coming from Slack. Set it (Basic Information → Signing Secret) or configure SLACK_APP_TOKEN for Socket Mode.",
    );
  }

  const clientOptions = {
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
    // Every tiered method (views.*, chat.postEphemeral, chat.update, usergroups.users.list, …)
    // takes its slot from one Redis budget per method, shared with delivery and other replicas.
    fetch: pacedFetch({
      redis: deps.redis,
      prefix,
      ...(config.methodBurst !== undefined ? { burst: config.methodBurst } : {}),
      ...(config.methodTimeScale !== undefined ? { timeScale: config.methodTimeScale } : {}),
    }),
    // Interactive answers must be quick: one short retry, never a long back-off behind 429s.
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
  };
  const endpoint = config.endpoint ?? DEFAULT_ENDPOINT;
  // The replay check sits before every ack: give it its own connection so it never queues behind
  // lookups, cache writes or anything else pipelined on the shared one.
  let guardConnection: RedisClient | undefined;
  const guardRedis = () => {
    if (!guardConnection) {
      guardConnection = duplicateClient(deps.redis);
      // ioredis would print each reconnect failure with a stack to stderr without a listener.
      guardConnection.on("error", (err) =>
        logger.warn({ code: codeOf(err) }, "slack replay-check redis error"),
      );
    }
    return guardConnection;
  };
  const bLogger = boltLogger(logger);
  let receiver: Receiver;
  let httpReceiver: HTTPReceiver | undefined;
  if (socketMode) {
    receiver = new SocketModeReceiver({
      appToken: config.appToken ?? "",
      logger: bLogger,
      ...(deps.customRoutes ? { customRoutes: deps.customRoutes } : {}),
      ...(config.socketModeHttpPort !== undefined
        ? { installerOptions: { port: config.socketModeHttpPort } }
        : {}),
    });
  } else {
    httpReceiver = new HTTPReceiver({
      signingSecret: config.signingSecret ?? "",
      endpoints: [endpoint],
      logger: bLogger,
      // Ack goes out as soon as a handler calls ack(); the work continues after (3-second rule).
      processBeforeResponse: false,
      customRoutes: deps.customRoutes ?? [],
    });
    httpReceiver.requestListener = guardSlackRequests(httpReceiver.requestListener, {
      endpoints: [endpoint],
      signingSecret: config.signingSecret ?? "",
      stats,
      clock,
      ...(config.replayProtection === false
        ? {}
        : {
            // Keyed on the verified HMAC alone: 64 hex digits, whatever else the header held.
            seenBefore: async (signatureHex: string) =>
              (await guardRedis().set(
                `${prefix}slack-sig:${signatureHex}`,
                "1",
                "EX",
                REPLAY_WINDOW_SECONDS,
                "NX",
              )) === null,
          }),
      ...(config.whenReplayCheckFails ? { whenReplayCheckFails: config.whenReplayCheckFails } : {}),
      ...(config.doorLimits ? { limits: config.doorLimits } : {}),
      // The error itself may carry the command's arguments (the signature): its code only.
      onError: (code) => logger.warn({ code }, "replay check unavailable"),
      onRefused: (r) => logger.debug(r, "slack request refused"),
      onRejected: () => deps.metrics?.slackSignatureRejections?.inc(),
    });
    receiver = httpReceiver;
  }

  const app = new App({
    receiver,
    authorize: singleWorkspaceAuthorize(config, clientOptions),
    logger: bLogger,
    clientOptions,
    // No conversation context is used; skip Bolt's per-request conversation store lookup.
    convoStore: false,
  });

  app.use(dedupeEvents({ redis: deps.redis, prefix, stats, logger }));
  app.error(async (err) => {
    logger.error({ code: err.code, err: { name: err.name } }, "unhandled error in a Slack handler");
  });

  registerInforCommand(app, {
    redis: deps.redis,
    prefix,
    logger,
    clock,
    lookup: createLookupRunner({
      redis: deps.redis,
      prefix,
      lookups: withApprovalState(deps.lookups, deps.approvals?.store),
      stats,
      clock,
      perMinute: deps.limits?.lookupsPerMinute ?? 10,
      cacheTtlSeconds: deps.limits?.cacheTtlSeconds ?? 60,
    }),
    ...(deps.status ? { status: deps.status } : {}),
    ...(deps.replay ? { replay: deps.replay } : {}),
    admins: deps.admins ?? [],
    ...(deps.audit ? { audit: deps.audit } : {}),
    commandName: config.commandName ?? "/infor",
  });

  // Out-of-office: an approver's bands lent to their delegate for a period (App Home).
  const delegations = createDelegationStore({ redis: deps.redis, prefix });
  const approvals = deps.approvals
    ? { ...deps.approvals, policy: withDelegation(deps.approvals.policy, delegations, clock) }
    : undefined;
  const homeDeps = {
    logger,
    clock,
    ...(approvals
      ? { store: approvals.store, policy: approvals.policy, delegations, bulk: true }
      : {}),
    ...(deps.health ? { health: deps.health } : {}),
  };
  const publishHome = createHomePublisher(homeDeps);
  registerHome(app, homeDeps, publishHome);

  if (approvals) {
    const audit = deps.audit ?? (() => {});
    const safe = async (e: Parameters<SlackAuditFn>[0]) => {
      try {
        await audit(e);
      } catch (err) {
        logger.error({ err }, "audit failed");
      }
    };
    // What every decision handler shares; info requests count no decision outcome.
    const deciding = {
      ...approvals,
      audit: safe,
      clock,
      logger,
      refreshHome: publishHome,
      ...(deps.threadPoster ? { threadPoster: deps.threadPoster } : {}),
      ...(deps.messageRefresher ? { messageRefresher: deps.messageRefresher } : {}),
    };
    const onOutcome = (outcome: "approved" | "rejected" | "denied") =>
      deps.metrics?.approvals?.inc({ outcome });
    registerApprovalActions(app, { ...deciding, onOutcome });
    registerDocumentActions(app, { ...deciding, onOutcome });
    registerApprovalInfo(app, deciding);
    registerBulkApprove(app, { ...deciding, onOutcome });
    registerDelegation(app, {
      delegations,
      audit: safe,
      logger,
      clock,
      refreshHome: publishHome,
    });
    registerApprovalComments(app, {
      store: approvals.store,
      audit: safe,
      logger,
      clock,
      ...(deps.threadPoster ? { threadPoster: deps.threadPoster } : {}),
    });
  }

  if (!deps.approvals) {
    // Buttons rendered by delivery still arrive here: answer instead of leaving them unacked.
    app.action(/^approval\./, async ({ ack, respond }) => {
      await ack();
      await respond({
        response_type: "ephemeral",
        replace_original: false,
        text: "Approvals are not enabled on this instance, so nothing was recorded.",
      }).catch(() => {});
    });
  }

  // Every interaction must be acknowledged, including link buttons other modules put on messages
  // (a URL button still sends block_actions); ours are matched above and excluded here.
  app.action(/^(?!approval\.|lookup\.)/, async ({ ack }) => {
    await ack();
  });

  const homeClient = new WebClient(config.botToken, clientOptions);
  return {
    app,
    stats,
    async start(port = 0) {
      if (socketMode) {
        await app.start();
        return {};
      }
      const server = (await app.start(port, SERVER_OPTIONS)) as Server;
      // Node drops header lines past this count silently; the guard refuses past its own limit.
      server.maxHeadersCount = MAX_HEADERS_COUNT + 1;
      return { port: (server.address() as AddressInfo).port };
    },
    async stop() {
      await app.stop();
      await guardConnection?.quit().catch(() => {});
      guardConnection = undefined;
    },
    refreshHome: (userId) => publishHome(homeClient, userId),
  };
}

/** Invoice answers show the approval state from our own store unless the caller supplies one. */
function withApprovalState(
  lookups: LookupService,
  store: ApprovalStore | undefined,
): LookupService {
  if (!store || lookups.approvalState) return lookups;
  return { ...lookups, approvalState: approvalStateFor(store) };
}

/**
 * One workspace, one bot token. Bolt's default runs auth.test in the constructor and dies on an
 * unhandled rejection when Slack is unreachable; here known ids skip it, and otherwise it runs
 * once on the first request and is retried on the next one if it failed.
 */
function singleWorkspaceAuthorize(
  config: SlackAppConfig,
  clientOptions: ConstructorParameters<typeof WebClient>[1],
): Authorize<boolean> {
  const botToken = config.botToken;
  if (config.botId && config.botUserId) {
    const known = { botToken, botId: config.botId, botUserId: config.botUserId };
    return async () => known;
  }
  let pending: Promise<{ botId: string; botUserId: string }> | undefined;
  const client = new WebClient(botToken, clientOptions);
  return async () => {
    pending ??= client.auth.test().then((r) => {
      if (!r.bot_id || !r.user_id) {
        throw new SlackAppError("auth_test_failed", "auth.test did not return bot ids");
      }
      return { botId: r.bot_id, botUserId: r.user_id };
    });
    try {
      return { botToken, ...(await pending) };
    } catch (err) {
      pending = undefined;
      throw err;
    }
  };
}
