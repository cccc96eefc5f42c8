import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pino, { type Logger } from "pino";
import { type ApiDeps, handleApi, type TokenState } from "./api.ts";
import { type ActiveFault, FaultInjector, type FaultRule } from "./faults.ts";
import { sendJson } from "./http-util.ts";
import { createInspect, type EmuInspect } from "./inspect.ts";
import { handleInspect } from "./inspect-http.ts";
import { DEFAULT_LIMITS, type LimitsConfig, RateLimiter } from "./limits.ts";
import { storeMessage } from "./methods/chat.ts";
import { SlackApiError } from "./methods/common.ts";
import { createPlatform, type EmuPlatform } from "./platform.ts";
import { platformHttpAction } from "./platform-http.ts";
import { handleResponseUrl } from "./response-url.ts";
import { defaultSeed } from "./seed.ts";
import { EmuStore } from "./store.ts";
import type { StoredMessage, WorkspaceSeed } from "./types.ts";
import { isWebPath, serveWeb } from "./web-static.ts";

export interface SlackEmuOptions {
  /** 0 (default) picks a free port */
  port?: number;
  /** loopback only; default 127.0.0.1 */
  host?: string;
  seed?: WorkspaceSeed;
  botToken?: string;
  signingSecret?: string;
  /** 10 = every limit and validity window runs 10x faster (1 msg/s becomes 10 msg/s) */
  timeScale?: number;
  limits?: Partial<LimitsConfig>;
  /** where the platform actor sends signed requests (slash commands, interactions, events) */
  appRequestUrl?: string;
  nowMs?: () => number;
  random?: () => number;
  logger?: Logger;
}

export interface EmuControl {
  addFault(rule: FaultRule): string;
  removeFault(id: string): boolean;
  clearFaults(): void;
  listFaults(): ActiveFault[];
  /** make the bot token answer token_revoked / account_inactive, or normal again */
  setTokenState(state: TokenState): void;
  /** forget rate-limit buckets (all limits full again) */
  resetLimits(): void;
  setAppRequestUrl(url: string): void;
  /** a message typed by a person (not the bot), e.g. to fill history or test cant_update_message */
  postAsUser(i: { channel: string; user: string; text: string; threadTs?: string }): StoredMessage;
}

export interface SlackEmu {
  /** base for WebClient `slackApiUrl`, ends with /api/ */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  botToken: string;
  signingSecret: string;
  timeScale: number;
  control: EmuControl;
  inspect: EmuInspect;
  platform: EmuPlatform;
  close(): Promise<void>;
}

export async function startSlackEmu(options: SlackEmuOptions = {}): Promise<SlackEmu> {
  const nowMs = options.nowMs ?? Date.now;
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error("timeScale must be > 0");
  const logger = options.logger ?? pino({ level: "silent" });
  let botToken = options.botToken ?? "xoxb-emu-0000-bot-token";
  const signingSecret = options.signingSecret ?? "emu-signing-secret-0000";
  const limits: LimitsConfig = { ...DEFAULT_LIMITS, ...options.limits };
  const store = new EmuStore(options.seed ?? defaultSeed(), nowMs);
  const limiter = new RateLimiter(nowMs, timeScale);
  const faults = new FaultInjector(options.random ?? Math.random);
  let tokenState: TokenState = "ok";
  const withheld = new Set<ServerResponse>();
  const sse = new Set<ServerResponse>();
  const ctx = { store, nowMs, timeScale, origin: "" };
  const deps: ApiDeps = {
    ctx,
    limiter,
    limits,
    faults,
    botToken: () => botToken,
    tokenState: () => tokenState,
    withheld,
  };
  const platform = createPlatform({
    store,
    nowMs,
    timeScale,
    signingSecret,
    origin: () => ctx.origin,
    requestUrl: options.appRequestUrl,
    logger,
  });

  const control: EmuControl = {
    addFault: (rule) => faults.add(rule),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    listFaults: () => faults.list(),
    setTokenState: (state) => {
      tokenState = state;
    },
    resetLimits: () => limiter.reset(),
    setAppRequestUrl: (url) => platform.setRequestUrl(url),
    postAsUser: (i) => {
      if (!store.channels.has(i.channel)) throw new SlackApiError("channel_not_found");
      return storeMessage(
        store,
        i.channel,
        { text: i.text },
        { threadTs: i.threadTs, via: "user", asUser: i.user },
      );
    },
  };
  const inspect = createInspect(store, () => {
    limiter.reset();
    faults.clear();
    tokenState = "ok";
  });

  const controlHttp = (action: string, body: Record<string, unknown>): unknown => {
    switch (action) {
      case "addFault":
        return control.addFault(body as unknown as FaultRule);
      case "removeFault":
        return control.removeFault(String(body.id));
      case "clearFaults":
        return control.clearFaults();
      case "listFaults":
        return control.listFaults();
      case "setTokenState":
        return control.setTokenState(body.state as TokenState);
      case "resetLimits":
        return control.resetLimits();
      case "postAsUser":
        return control.postAsUser(body as never);
      default:
        throw Object.assign(new Error("unknown control action"), { code: "unknown_action" });
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://emu.invalid");
    const path = url.pathname;
    const route = async () => {
      if (path.startsWith("/api/")) {
        return handleApi(deps, path.slice(5), req, res, url.searchParams);
      }
      if (path.startsWith("/_resp/")) {
        return handleResponseUrl(
          { store, nowMs, timeScale, origin: () => ctx.origin },
          path.slice(7),
          req,
          res,
        );
      }
      if (path.startsWith("/_emu/")) {
        return handleInspect(
          {
            inspect,
            control: controlHttp,
            platform: (action, body) => platformHttpAction(platform, action, body),
            sse,
          },
          path.slice(6),
          url,
          req,
          res,
        );
      }
      if (req.method === "GET" && isWebPath(path)) return serveWeb(path, res);
      sendJson(res, 404, { ok: false, error: "not_found" });
    };
    route().catch((err: unknown) => {
      logger.error({ err, path }, "slack-emu request failed");
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: "internal_error" });
      else res.destroy();
    });
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  ctx.origin = `http://${host}:${port}`;

  return {
    url: `${ctx.origin}/api/`,
    origin: ctx.origin,
    get botToken() {
      return botToken;
    },
    set botToken(v: string) {
      botToken = v;
    },
    signingSecret,
    timeScale,
    control,
    inspect,
    platform,
    close: async () => {
      for (const r of sse) r.end();
      for (const r of withheld) r.destroy();
      await platform.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
