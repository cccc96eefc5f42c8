import { validateBlocks, withBlockIds } from "../blocks.ts";
import type { EmuStore } from "../store.ts";
import type { EmuChannel, MessageMetadata, StoredMessage } from "../types.ts";
import {
  type Args,
  bool,
  conversationChannel,
  isMember,
  json,
  type MethodContext,
  type MethodHandler,
  publicMessage,
  required,
  SlackApiError,
  str,
  visibleChannel,
} from "./common.ts";

// Slack truncates, and chat.postMessage rejects with msg_too_long, text over 40,000 characters.
const MAX_TEXT = 40_000;

export interface MessageContent {
  text: string;
  blocks?: unknown[] | undefined;
  metadata?: MessageMetadata | undefined;
}

/** Text, blocks and metadata of a post or update, validated as Slack does. */
export function readContent(args: Args, requireSome: boolean): MessageContent {
  const text = str(args, "text") ?? "";
  const blocks = json(args, "blocks", "invalid_blocks_format");
  if (text.length > MAX_TEXT) throw new SlackApiError("msg_too_long");
  if (blocks !== undefined) {
    const errors = validateBlocks(blocks, "message");
    if (errors.length > 0) {
      throw new SlackApiError("invalid_blocks", { response_metadata: { messages: errors } });
    }
  }
  if (requireSome && text === "" && (blocks === undefined || (blocks as unknown[]).length === 0)) {
    throw new SlackApiError("no_text");
  }
  const metadata = readMetadata(args);
  return { text, blocks: withBlockIds(blocks as unknown[] | undefined), metadata };
}

function readMetadata(args: Args): MessageMetadata | undefined {
  const m = json(args, "metadata", "invalid_metadata_format");
  if (m === undefined) return undefined;
  const ok =
    typeof m === "object" &&
    m !== null &&
    typeof (m as Record<string, unknown>).event_type === "string" &&
    typeof (m as Record<string, unknown>).event_payload === "object" &&
    (m as Record<string, unknown>).event_payload !== null;
  if (!ok) throw new SlackApiError("invalid_metadata_format");
  const { event_type, event_payload } = m as MessageMetadata;
  return { event_type, event_payload };
}

/** A channel the bot can post to: visible, not archived, bot is a member. */
export function postableChannel(ctx: MethodContext, ref: string | undefined): EmuChannel {
  const c = visibleChannel(ctx, ref);
  if (c.is_archived) throw new SlackApiError("is_archived");
  if (!isMember(ctx, c)) throw new SlackApiError("not_in_channel");
  return c;
}

/** Stores a new message (top level or reply) and announces it. */
export function storeMessage(
  store: EmuStore,
  channel: string,
  content: MessageContent,
  opts: {
    threadTs?: string | undefined;
    broadcast?: boolean;
    via: StoredMessage["via"] | "user";
    /** a human author instead of the bot (the emulator's stand-in for people typing) */
    asUser?: string;
  },
): StoredMessage {
  const seed = store.seed;
  const ts = store.nextTs();
  const msg: StoredMessage = {
    type: "message",
    ts,
    channel,
    user: opts.asUser ?? seed.botUserId,
    bot_id: opts.asUser ? undefined : seed.botId,
    app_id: opts.asUser ? undefined : seed.appId,
    team: seed.teamId,
    text: content.text,
    blocks: content.blocks,
    metadata: content.metadata,
    edits: [],
    via: opts.via,
  };
  if (opts.threadTs) {
    const parent = store.findMessage(channel, opts.threadTs);
    // A reply's ts given as thread_ts threads to its parent, as in Slack.
    const root =
      parent?.thread_ts && parent.thread_ts !== parent.ts ? parent.thread_ts : opts.threadTs;
    const rootMsg = store.findMessage(channel, root);
    if (!rootMsg) throw new SlackApiError("invalid_thread_ts");
    msg.thread_ts = root;
    if (opts.broadcast) msg.subtype = "thread_broadcast";
    rootMsg.thread_ts = root;
    rootMsg.reply_count = (rootMsg.reply_count ?? 0) + 1;
    rootMsg.latest_reply = ts;
    rootMsg.reply_users = [...new Set([...(rootMsg.reply_users ?? []), msg.user])];
  }
  store.channelMessages(channel).push(msg);
  store.emit({ type: "message", channel, message: msg });
  return msg;
}

/** Records the old version, applies the new one and announces the change. */
export function applyEdit(store: EmuStore, msg: StoredMessage, content: MessageContent): void {
  const at = store.nextTs();
  msg.edits.push({
    at,
    by: store.seed.botUserId,
    previous: { text: msg.text, blocks: msg.blocks, metadata: msg.metadata },
  });
  msg.text = content.text;
  msg.blocks = content.blocks;
  if (content.metadata) msg.metadata = content.metadata;
  msg.edited = { user: store.seed.botUserId, ts: at };
  store.emit({ type: "message_changed", channel: msg.channel, message: msg });
}

const postMessage: MethodHandler = (ctx, args) => {
  const c = postableChannel(ctx, str(args, "channel"));
  const content = readContent(args, true);
  const msg = storeMessage(ctx.store, c.id, content, {
    threadTs: str(args, "thread_ts"),
    broadcast: bool(args, "reply_broadcast"),
    via: "web_api",
  });
  return { channel: c.id, ts: msg.ts, message: publicMessage(msg) };
};

const update: MethodHandler = (ctx, args) => {
  const c = conversationChannel(ctx, str(args, "channel"));
  const ts = required(args, "ts");
  const msg = ctx.store.findMessage(c.id, ts);
  if (!msg) throw new SlackApiError("message_not_found");
  if (msg.bot_id !== ctx.store.seed.botId) throw new SlackApiError("cant_update_message");
  if (c.is_archived) throw new SlackApiError("is_archived");
  const content = readContent(args, true);
  // chat.update reference: without `blocks` the message keeps its blocks; [] removes them.
  applyEdit(
    ctx.store,
    msg,
    content.blocks === undefined ? { ...content, blocks: msg.blocks } : content,
  );
  return { channel: c.id, ts: msg.ts, text: msg.text, message: publicMessage(msg) };
};

/**
 * chat.delete (docs.slack.dev/reference/methods/chat.delete): a bot token deletes the bot's own
 * messages only (`cant_delete_message` otherwise). The message leaves history; its replies stay.
 */
const remove: MethodHandler = (ctx, args) => {
  const c = conversationChannel(ctx, str(args, "channel"));
  const ts = required(args, "ts");
  const msg = ctx.store.findMessage(c.id, ts);
  if (!msg) throw new SlackApiError("message_not_found");
  if (msg.bot_id !== ctx.store.seed.botId) throw new SlackApiError("cant_delete_message");
  msg.deleted = true;
  ctx.store.emit({ type: "message_deleted", channel: c.id, ts: msg.ts });
  return { channel: c.id, ts: msg.ts };
};

const postEphemeral: MethodHandler = (ctx, args) => {
  const c = postableChannel(ctx, str(args, "channel"));
  const user = required(args, "user");
  if (!ctx.store.seed.users.some((u) => u.id === user)) throw new SlackApiError("user_not_found");
  if (!c.members.includes(user)) throw new SlackApiError("user_not_in_channel");
  const content = readContent(args, true);
  const message = {
    message_ts: ctx.store.nextTs(),
    channel: c.id,
    user,
    text: content.text,
    blocks: content.blocks,
    thread_ts: str(args, "thread_ts"),
    via: "web_api" as const,
  };
  ctx.store.ephemerals.push(message);
  ctx.store.emit({ type: "ephemeral", channel: c.id, message });
  return { message_ts: message.message_ts };
};

// Permalink shape: https://<domain>.slack.com/archives/<channel>/p<ts without the dot>,
// with ?thread_ts=&cid= for replies; served here from the emulator's origin.
const getPermalink: MethodHandler = (ctx, args) => {
  const c = visibleChannel(ctx, str(args, "channel"));
  const msg = ctx.store.findMessage(c.id, required(args, "message_ts"));
  if (!msg) throw new SlackApiError("message_not_found");
  let permalink = `${ctx.origin}/archives/${c.id}/p${msg.ts.replace(".", "")}`;
  if (msg.thread_ts && msg.thread_ts !== msg.ts) {
    permalink += `?thread_ts=${msg.thread_ts}&cid=${c.id}`;
  }
  return { channel: c.id, permalink };
};

export const chatMethods: Record<string, MethodHandler> = {
  "chat.postMessage": postMessage,
  "chat.update": update,
  "chat.delete": remove,
  "chat.postEphemeral": postEphemeral,
  "chat.getPermalink": getPermalink,
};
