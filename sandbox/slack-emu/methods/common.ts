import type { EmuStore } from "../store.ts";
import type { EmuChannel, StoredMessage } from "../types.ts";

/** A Web API error: answered as HTTP 200 `{ ok: false, error: code, ...extra }`. */
export class SlackApiError extends Error {
  readonly code: string;
  readonly extra: Record<string, unknown>;
  constructor(code: string, extra: Record<string, unknown> = {}) {
    super(code);
    this.code = code;
    this.extra = extra;
  }
}

export interface MethodContext {
  store: EmuStore;
  nowMs: () => number;
  timeScale: number;
  /** http://127.0.0.1:<port> */
  origin: string;
}

export type Args = Record<string, unknown>;
export type MethodResult = Record<string, unknown>;
export type MethodHandler = (ctx: MethodContext, args: Args) => MethodResult;

export function str(args: Args, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null || v === "") return undefined;
  return typeof v === "string" ? v : String(v);
}

export function required(args: Args, key: string): string {
  const v = str(args, key);
  if (v === undefined) throw new SlackApiError("invalid_arguments", { missing: key });
  return v;
}

export function bool(args: Args, key: string): boolean {
  const v = args[key];
  return v === true || v === "true" || v === "1" || v === 1;
}

export function int(args: Args, key: string, fallback: number): number {
  const v = Number(args[key]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

/** Form-encoded calls carry arrays and objects as JSON strings (blocks, metadata, view). */
export function json(args: Args, key: string, error: string): unknown {
  const v = args[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    throw new SlackApiError(error);
  }
}

/**
 * Channel the bot can see: a private channel the bot is not in is invisible
 * (channel_not_found), as Slack answers for conversations it cannot access.
 */
export function visibleChannel(ctx: MethodContext, ref: string | undefined): EmuChannel {
  if (!ref) throw new SlackApiError("channel_not_found");
  const c = ctx.store.findChannel(ref);
  if (!c) throw new SlackApiError("channel_not_found");
  if (c.is_private && !c.members.includes(ctx.store.seed.botUserId)) {
    throw new SlackApiError("channel_not_found");
  }
  return c;
}

/**
 * A channel named by its conversation id (or name): only chat.postMessage takes a user id for
 * the app's direct message with that person. chat.update says "For direct messages, ensure that
 * this value is a DM ID (starts with D) instead of a User ID"; conversations.history and
 * .replies take a "Conversation ID" (docs.slack.dev/reference/methods/…).
 */
export function conversationChannel(ctx: MethodContext, ref: string | undefined): EmuChannel {
  if (ref && !ctx.store.channels.has(ref) && ctx.store.seed.users.some((u) => u.id === ref)) {
    throw new SlackApiError("channel_not_found");
  }
  return visibleChannel(ctx, ref);
}

export function isMember(ctx: MethodContext, c: EmuChannel): boolean {
  return c.members.includes(ctx.store.seed.botUserId);
}

/** The message as Slack returns it: emulator-only fields removed. */
export function publicMessage(m: StoredMessage, includeMetadata = true): MethodResult {
  const { edits: _edits, deleted: _deleted, via: _via, channel: _channel, ...rest } = m;
  const out: MethodResult = { ...rest };
  if (!includeMetadata) delete out.metadata;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

export function channelObject(ctx: MethodContext, c: EmuChannel): MethodResult {
  return {
    id: c.id,
    name: c.name,
    is_channel: c.is_channel,
    is_group: false,
    is_im: Boolean(c.is_im),
    ...(c.is_im ? { user: c.user } : {}),
    is_mpim: false,
    is_private: c.is_private,
    is_archived: c.is_archived,
    is_general: c.name === "general",
    is_member: isMember(ctx, c),
    created: c.created,
    creator: "U0ADMIN001",
    name_normalized: c.name,
    num_members: c.members.length,
    topic: { value: c.topic, creator: "", last_set: 0 },
    purpose: { value: c.purpose, creator: "", last_set: 0 },
    context_team_id: ctx.store.seed.teamId,
  };
}

/** Opaque cursor as Slack uses (base64 of an offset marker). */
export function encodeCursor(offset: number): string {
  return Buffer.from(`next:${offset}`).toString("base64");
}

export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^next:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  if (!m?.[1]) throw new SlackApiError("invalid_cursor");
  return Number(m[1]);
}
