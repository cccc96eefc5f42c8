import type { EmuStore } from "./store.ts";
import type {
  EmuChannel,
  EmuEvent,
  EmuUser,
  EmuUserGroup,
  EphemeralMessage,
  PlatformLogEntry,
  RequestLogEntry,
  ResponseUrlPost,
  StoredMessage,
  StoredView,
} from "./types.ts";

/** A top-level message with its thread replies, as a web view would render it. */
export interface MessageWithReplies extends StoredMessage {
  replies: StoredMessage[];
}

export interface RateLimitCounts {
  total: number;
  byMethod: Record<string, number>;
  byChannel: Record<string, number>;
}

/**
 * Read-only view of the emulator for tests, benchmarks and the web view. Everything returned
 * is a copy; mutate through the Web API, the platform actor or `control`.
 */
export interface EmuInspect {
  workspace(): {
    teamId: string;
    teamName: string;
    botUserId: string;
    users: EmuUser[];
    usergroups: EmuUserGroup[];
  };
  channels(): EmuChannel[];
  /** top-level messages (incl. broadcasts) oldest first, each with its replies; deleted ones kept with `deleted` */
  messages(channel: string): MessageWithReplies[];
  /** every message in the channel, replies included, in ts order */
  allMessages(channel: string): StoredMessage[];
  message(channel: string, ts: string): StoredMessage | undefined;
  thread(channel: string, ts: string): StoredMessage[];
  ephemerals(filter?: { channel?: string; user?: string }): EphemeralMessage[];
  responseUrlPosts(): ResponseUrlPost[];
  views(filter?: { type?: "modal" | "home"; user?: string }): StoredView[];
  home(user: string): StoredView | undefined;
  rateLimited(): RateLimitCounts;
  requests(filter?: { method?: string }): RequestLogEntry[];
  /** signed requests the platform actor sent to the app, with the app's status */
  platformRequests(): PlatformLogEntry[];
  /** subscribe to new message / edit / view / … events; returns an unsubscribe function */
  subscribe(listener: (event: EmuEvent) => void): () => void;
  reset(): void;
}

export function createInspect(store: EmuStore, onReset: () => void): EmuInspect {
  const copy = <T>(v: T): T => structuredClone(v);
  const threadOf = (channel: string, root: string) =>
    store.channelMessages(channel).filter((m) => m.thread_ts === root && m.ts !== root);
  return {
    workspace: () => ({
      teamId: store.seed.teamId,
      teamName: store.seed.teamName,
      botUserId: store.seed.botUserId,
      users: copy(store.seed.users),
      usergroups: copy(store.seed.usergroups),
    }),
    channels: () => copy([...store.channels.values()]),
    messages: (channel) =>
      copy(
        store
          .channelMessages(channel)
          .filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === "thread_broadcast")
          .map((m) => ({
            ...m,
            replies:
              m.thread_ts === m.ts || (m.reply_count ?? 0) > 0 ? threadOf(channel, m.ts) : [],
          })),
      ),
    allMessages: (channel) => copy(store.channelMessages(channel)),
    message: (channel, ts) => copy(store.channelMessages(channel).find((m) => m.ts === ts)),
    thread: (channel, ts) =>
      copy(store.channelMessages(channel).filter((m) => m.ts === ts || m.thread_ts === ts)),
    ephemerals: (filter = {}) =>
      copy(
        store.ephemerals.filter(
          (e) =>
            (filter.channel === undefined || e.channel === filter.channel) &&
            (filter.user === undefined || e.user === filter.user),
        ),
      ),
    responseUrlPosts: () => copy(store.responsePosts),
    views: (filter = {}) =>
      copy(
        [...store.views.values()].filter(
          (v) =>
            (filter.type === undefined || v.type === filter.type) &&
            (filter.user === undefined || v.user_id === filter.user),
        ),
      ),
    home: (user) => {
      const id = store.homes.get(user);
      return id ? copy(store.views.get(id)) : undefined;
    },
    rateLimited: () => copy(store.rateLimited),
    requests: (filter = {}) =>
      copy(
        store.requestLog.filter((r) => filter.method === undefined || r.method === filter.method),
      ),
    platformRequests: () => copy(store.platformLog),
    subscribe: (listener) => {
      store.events.on("event", listener);
      return () => store.events.off("event", listener);
    },
    reset: () => {
      store.reset();
      onReset();
    },
  };
}
