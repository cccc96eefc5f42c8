import { randomBytes } from "node:crypto";
import { validateView, withBlockIds } from "../blocks.ts";
import type { StoredView } from "../types.ts";
import {
  json,
  type MethodContext,
  type MethodHandler,
  type MethodResult,
  required,
  SlackApiError,
  str,
} from "./common.ts";

// trigger_id expires 3 seconds after the interaction and may be exchanged once
// (docs.slack.dev/interactivity/handling-user-interaction#modal_responses).
export const TRIGGER_VALIDITY_MS = 3000;

function readView(args: Record<string, unknown>): Record<string, unknown> {
  const view = json(args, "view", "invalid_arguments");
  const errors = validateView(view);
  if (errors.length > 0) {
    throw new SlackApiError("invalid_arguments", { response_metadata: { messages: errors } });
  }
  return view as Record<string, unknown>;
}

function newId(prefix: string): string {
  return `${prefix}${randomBytes(5).toString("hex").toUpperCase()}`;
}

function build(
  ctx: MethodContext,
  view: Record<string, unknown>,
  user: string,
  prior?: StoredView,
): StoredView {
  const s = ctx.store.seed;
  const id = prior?.id ?? newId("V");
  return {
    id,
    team_id: s.teamId,
    type: view.type as "modal" | "home",
    user_id: user,
    title: view.title,
    submit: view.submit,
    close: view.close,
    blocks: withBlockIds(view.blocks as unknown[]) ?? [],
    callback_id: typeof view.callback_id === "string" ? view.callback_id : "",
    private_metadata: typeof view.private_metadata === "string" ? view.private_metadata : "",
    external_id: typeof view.external_id === "string" ? view.external_id : "",
    hash: `${Math.floor(ctx.nowMs() / 1000)}.${randomBytes(4).toString("hex")}`,
    root_view_id: prior?.root_view_id ?? id,
    previous_view_id: null,
    app_id: s.appId,
    bot_id: s.botId,
    state: { values: {} },
    history: prior ? [...prior.history, publicView(prior)] : [],
    opened_at: prior?.opened_at ?? ctx.store.nextTs(),
  };
}

export function publicView(v: StoredView): MethodResult {
  const { history: _h, opened_at: _o, closed: _c, user_id: _u, ...rest } = v;
  return rest;
}

const open: MethodHandler = (ctx, args) => {
  const triggerId = required(args, "trigger_id");
  const trigger = ctx.store.triggers.get(triggerId);
  if (!trigger) throw new SlackApiError("invalid_trigger_id");
  if (ctx.nowMs() - trigger.issuedAtMs > TRIGGER_VALIDITY_MS / ctx.timeScale) {
    throw new SlackApiError("expired_trigger_id");
  }
  if (trigger.used) throw new SlackApiError("exchanged_trigger_id");
  const view = readView(args);
  if (view.type !== "modal") throw new SlackApiError("invalid_arguments");
  trigger.used = true;
  const stored = build(ctx, view, trigger.user);
  ctx.store.views.set(stored.id, stored);
  ctx.store.emit({ type: "view", action: "opened", view: stored });
  return { view: publicView(stored) };
};

const update: MethodHandler = (ctx, args) => {
  const viewId = str(args, "view_id");
  const externalId = str(args, "external_id");
  const prior = viewId
    ? ctx.store.views.get(viewId)
    : [...ctx.store.views.values()].find((v) => externalId && v.external_id === externalId);
  if (!prior) throw new SlackApiError("not_found");
  const hash = str(args, "hash");
  if (hash !== undefined && hash !== prior.hash) throw new SlackApiError("hash_conflict");
  const view = readView(args);
  const stored = build(ctx, view, prior.user_id, prior);
  ctx.store.views.set(stored.id, stored);
  ctx.store.emit({ type: "view", action: "updated", view: stored });
  return { view: publicView(stored) };
};

const publish: MethodHandler = (ctx, args) => {
  const user = required(args, "user_id");
  if (!ctx.store.seed.users.some((u) => u.id === user)) throw new SlackApiError("user_not_found");
  const view = readView(args);
  if (view.type !== "home") throw new SlackApiError("invalid_arguments");
  const priorId = ctx.store.homes.get(user);
  const prior = priorId ? ctx.store.views.get(priorId) : undefined;
  const hash = str(args, "hash");
  if (prior && hash !== undefined && hash !== prior.hash) throw new SlackApiError("hash_conflict");
  const stored = build(ctx, view, user, prior);
  ctx.store.views.set(stored.id, stored);
  ctx.store.homes.set(user, stored.id);
  ctx.store.emit({ type: "view", action: "published", view: stored });
  return { view: publicView(stored) };
};

export const viewMethods: Record<string, MethodHandler> = {
  "views.open": open,
  "views.update": update,
  "views.publish": publish,
};
