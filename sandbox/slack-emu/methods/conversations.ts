import { tsToMicros } from "../store.ts";
import type { EmuChannel, StoredMessage } from "../types.ts";
import {
  bool,
  channelObject,
  conversationChannel,
  decodeCursor,
  encodeCursor,
  int,
  isMember,
  type MethodHandler,
  type MethodResult,
  publicMessage,
  required,
  SlackApiError,
  str,
  visibleChannel,
} from "./common.ts";

function page<T>(items: T[], cursor: string | undefined, limit: number) {
  const start = decodeCursor(cursor);
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { slice, more, next: more ? encodeCursor(start + limit) : "" };
}

/**
 * conversations.open (docs.slack.dev/reference/methods/conversations.open): the bot's direct
 * message with one user, created on first use; `channel` resumes an existing one. Answers
 * `{ channel: { id } }` (the whole conversation with return_im), `no_op` and `already_open` when
 * it existed. Group DMs (several users) are not emulated and say so.
 */
const open: MethodHandler = (ctx, args) => {
  const channelRef = str(args, "channel");
  const users = (str(args, "users") ?? "")
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "");
  let im: EmuChannel | undefined;
  let existed: boolean;
  if (channelRef) {
    im = ctx.store.channels.get(channelRef);
    if (!im?.is_im) throw new SlackApiError("channel_not_found");
    existed = true;
  } else {
    if (users.length === 0) throw new SlackApiError("users_list_not_supplied");
    if (users.length > 1) throw new SlackApiError("mpim_not_emulated");
    const id = users[0] ?? "";
    const person = ctx.store.seed.users.find((u) => u.id === id);
    if (!person) throw new SlackApiError("user_not_found");
    if (person.deleted) throw new SlackApiError("user_disabled");
    if (person.is_bot || id === ctx.store.seed.botUserId) throw new SlackApiError("cannot_dm_bot");
    existed = ctx.store.channels.has(`D${id.slice(1)}`);
    if (!existed && bool(args, "prevent_creation")) {
      return { no_op: true, channel: { id: `D${id.slice(1)}` } };
    }
    im = ctx.store.imWith(id);
  }
  const channel = bool(args, "return_im") ? channelObject(ctx, im) : { id: im.id };
  return existed ? { no_op: true, already_open: true, channel } : { channel };
};

const list: MethodHandler = (ctx, args) => {
  const types = (str(args, "types") ?? "public_channel").split(",").map((t) => t.trim());
  const excludeArchived = bool(args, "exclude_archived");
  const all = [...ctx.store.channels.values()].filter((c) => {
    if (excludeArchived && c.is_archived) return false;
    if (c.is_im) return types.includes("im");
    if (c.is_private) return types.includes("private_channel") && isMember(ctx, c);
    return types.includes("public_channel");
  });
  const { slice, next } = page(all, str(args, "cursor"), Math.min(int(args, "limit", 100), 1000));
  return {
    channels: slice.map((c) => channelObject(ctx, c)),
    response_metadata: { next_cursor: next },
  };
};

const info: MethodHandler = (ctx, args) => {
  const c = visibleChannel(ctx, str(args, "channel"));
  return { channel: channelObject(ctx, c) };
};

const join: MethodHandler = (ctx, args) => {
  const c = visibleChannel(ctx, str(args, "channel"));
  if (c.is_private) throw new SlackApiError("method_not_supported_for_channel_type");
  if (c.is_archived) throw new SlackApiError("is_archived");
  const already = isMember(ctx, c);
  if (!already) c.members.push(ctx.store.seed.botUserId);
  const out: MethodResult = { channel: channelObject(ctx, c) };
  if (already) {
    out.warning = "already_in_channel";
    out.response_metadata = { warnings: ["already_in_channel"] };
  }
  return out;
};

/** oldest/latest bounds are exclusive unless `inclusive` (conversations.history docs). */
function inRange(ts: string, oldest?: bigint, latest?: bigint, inclusive = false): boolean {
  const t = tsToMicros(ts) ?? 0n;
  if (oldest !== undefined && (inclusive ? t < oldest : t <= oldest)) return false;
  if (latest !== undefined && (inclusive ? t > latest : t >= latest)) return false;
  return true;
}

function bound(v: string | undefined): bigint | undefined {
  return v === undefined ? undefined : tsToMicros(v);
}

const history: MethodHandler = (ctx, args) => {
  const c = conversationChannel(ctx, str(args, "channel"));
  if (!isMember(ctx, c)) throw new SlackApiError("not_in_channel");
  const withMeta = bool(args, "include_all_metadata");
  const oldest = bound(str(args, "oldest"));
  const latest = bound(str(args, "latest"));
  const inclusive = bool(args, "inclusive");
  // History holds top-level messages and broadcast replies, newest first.
  const visible = ctx.store
    .channelMessages(c.id)
    .filter(
      (m) =>
        !m.deleted &&
        (!m.thread_ts || m.thread_ts === m.ts || m.subtype === "thread_broadcast") &&
        inRange(m.ts, oldest, latest, inclusive),
    )
    .reverse();
  const { slice, more, next } = page(
    visible,
    str(args, "cursor"),
    Math.min(int(args, "limit", 100), 999),
  );
  return {
    messages: slice.map((m) => publicMessage(m, withMeta)),
    has_more: more,
    pin_count: 0,
    response_metadata: { next_cursor: next },
  };
};

const replies: MethodHandler = (ctx, args) => {
  const c = conversationChannel(ctx, str(args, "channel"));
  if (!isMember(ctx, c)) throw new SlackApiError("not_in_channel");
  const ts = required(args, "ts");
  const anchor = ctx.store.findMessage(c.id, ts);
  if (!anchor) throw new SlackApiError("thread_not_found");
  const root = anchor.thread_ts ?? anchor.ts;
  const withMeta = bool(args, "include_all_metadata");
  const oldest = bound(str(args, "oldest"));
  const latest = bound(str(args, "latest"));
  const inclusive = bool(args, "inclusive");
  const thread: StoredMessage[] = ctx.store
    .channelMessages(c.id)
    .filter((m) => !m.deleted && (m.ts === root || m.thread_ts === root))
    .filter((m) => m.ts === root || inRange(m.ts, oldest, latest, inclusive));
  const { slice, more, next } = page(
    thread,
    str(args, "cursor"),
    Math.min(int(args, "limit", 1000), 1000),
  );
  return {
    messages: slice.map((m) => publicMessage(m, withMeta)),
    has_more: more,
    response_metadata: { next_cursor: next },
  };
};

export const conversationMethods: Record<string, MethodHandler> = {
  "conversations.open": open,
  "conversations.list": list,
  "conversations.info": info,
  "conversations.join": join,
  "conversations.history": history,
  "conversations.replies": replies,
};
