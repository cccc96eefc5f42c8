import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultInjector } from "./faults.ts";
import { delay, parseBody, readBody, sendJson } from "./http-util.ts";
import { type LimitsConfig, limitEntries, type RateLimiter, retryAfterHeaders } from "./limits.ts";
import { chatMethods } from "./methods/chat.ts";
import { type MethodContext, type MethodHandler, SlackApiError } from "./methods/common.ts";
import { conversationMethods } from "./methods/conversations.ts";
import { userMethods } from "./methods/users.ts";
import { viewMethods } from "./methods/views.ts";
import type { RequestLogEntry } from "./types.ts";

export const METHODS: Record<string, MethodHandler> = {
  ...userMethods,
  ...chatMethods,
  ...conversationMethods,
  ...viewMethods,
};

export type TokenState = "ok" | "revoked" | "inactive";

export interface ApiDeps {
  ctx: MethodContext;
  limiter: RateLimiter;
  limits: LimitsConfig;
  faults: FaultInjector;
  botToken: () => string;
  tokenState: () => TokenState;
  /** responses held open by the "withhold" fault, destroyed on close() */
  withheld: Set<ServerResponse>;
}

function tokenOf(
  req: IncomingMessage,
  kind: string,
  data: Record<string, unknown>,
): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith("Bearer ")) return h.slice(7).trim();
  // Slack reads a token from form bodies and query strings, not from JSON bodies.
  if (kind === "form" && typeof data.token === "string") return data.token;
  return undefined;
}

function authError(deps: ApiDeps, token: string | undefined): string | undefined {
  if (!token) return "not_authed";
  if (token !== deps.botToken()) return "invalid_auth";
  const state = deps.tokenState();
  if (state === "revoked") return "token_revoked";
  if (state === "inactive") return "account_inactive";
  return undefined;
}

/** Handles POST/GET /api/<method>. */
export async function handleApi(
  deps: ApiDeps,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const { store } = deps.ctx;
  const at = new Date(deps.ctx.nowMs()).toISOString();
  const raw = await readBody(req);
  const parsed = parseBody(req.headers["content-type"], raw);
  const log = (entry: Omit<RequestLogEntry, "at" | "method">) =>
    store.logRequest({ at, method, ...entry });
  if (parsed.kind === "invalid") {
    log({ status: 200, ok: false, error: parsed.error });
    return sendJson(res, 200, { ok: false, error: parsed.error });
  }
  const args: Record<string, unknown> = { ...Object.fromEntries(query), ...parsed.data };
  const channelRef = typeof args.channel === "string" ? args.channel : undefined;
  const channel = channelRef ? store.channelIdOf(channelRef) : undefined;

  const authErr = authError(deps, tokenOf(req, parsed.kind, args));
  if (authErr) {
    log({ status: 200, ok: false, error: authErr, channel });
    return sendJson(res, 200, { ok: false, error: authErr });
  }
  const handler = METHODS[method];
  if (!handler) {
    log({ status: 200, ok: false, error: "unknown_method" });
    return sendJson(res, 200, { ok: false, error: "unknown_method" });
  }

  const decision = deps.limiter.take(limitEntries(deps.limits, method, channel));
  if (!decision.allowed) {
    store.countRateLimited(method, channel, decision.retryAfterMs);
    log({
      status: 429,
      ok: false,
      error: "ratelimited",
      channel,
      retryAfterMs: decision.retryAfterMs,
    });
    return sendJson(
      res,
      429,
      { ok: false, error: "ratelimited" },
      retryAfterHeaders(decision.retryAfterMs),
    );
  }

  const plan = deps.faults.plan(method, channel);
  await delay(plan.latencyMs);
  if (plan.error) {
    const status = plan.error.status ?? 503;
    log({ status, ok: false, error: "injected_5xx", channel, fault: plan.error.id });
    return sendJson(res, status, { ok: false, error: "service_unavailable" });
  }

  if (plan.ambiguous?.mode === "late") {
    // Accepted, applied later: the client may have given up (and looked) in the meantime.
    const fault = plan.ambiguous;
    deps.withheld.add(res);
    res.on("close", () => deps.withheld.delete(res));
    await delay(fault.lateMs ?? 1000);
    const body = run(deps, handler, args);
    const gone = res.destroyed || res.writableEnded;
    const error = body.ok ? undefined : String(body.error);
    log({
      status: gone ? 0 : 200,
      ok: Boolean(body.ok),
      error,
      channel,
      fault: `${fault.id}:late`,
    });
    deps.withheld.delete(res);
    if (!gone) sendJson(res, 200, body);
    return;
  }

  const body = run(deps, handler, args);
  const error = body.ok ? undefined : String(body.error);

  if (plan.ambiguous) {
    const mode = plan.ambiguous.mode ?? "drop";
    log({ status: 0, ok: Boolean(body.ok), error, channel, fault: `${plan.ambiguous.id}:${mode}` });
    if (mode === "drop") {
      req.socket.destroy();
    } else {
      deps.withheld.add(res);
      res.on("close", () => deps.withheld.delete(res));
    }
    return;
  }
  log({ status: 200, ok: Boolean(body.ok), error, channel });
  sendJson(res, 200, body);
}

function run(
  deps: ApiDeps,
  handler: MethodHandler,
  args: Record<string, unknown>,
): Record<string, unknown> {
  try {
    return { ok: true, ...handler(deps.ctx, args) };
  } catch (err) {
    if (!(err instanceof SlackApiError)) throw err;
    return { ok: false, error: err.code, ...err.extra };
  }
}
