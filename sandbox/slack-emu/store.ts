import { EventEmitter } from "node:events";
import type {
  EmuChannel,
  EmuEvent,
  EphemeralMessage,
  PlatformLogEntry,
  RequestLogEntry,
  ResponseUrlPost,
  StoredMessage,
  StoredView,
  WorkspaceSeed,
} from "./types.ts";

const REQUEST_LOG_MAX = 5000;

/** Slack ts: "<unix seconds>.<6 digits>"; kept as microseconds to order and compare exactly. */
export function tsFromMicros(micros: bigint): string {
  const s = micros / 1_000_000n;
  const us = micros % 1_000_000n;
  return `${s}.${us.toString().padStart(6, "0")}`;
}

export function tsToMicros(ts: string): bigint | undefined {
  const m = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(ts.trim());
  if (!m?.[1]) return undefined;
  return BigInt(m[1]) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0"));
}

export interface ResponseUrlState {
  id: string;
  createdAtMs: number;
  uses: number;
  channel: string;
  user: string;
  /** the message the interaction came from (block_actions on a message) */
  sourceTs?: string | undefined;
  sourceEphemeral?: boolean | undefined;
}

export interface TriggerState {
  issuedAtMs: number;
  user: string;
  used: boolean;
}

/**
 * All mutable state of one emulated workspace. Plain data plus an event emitter; the
 * Web API methods, the platform actor and the inspection API all read and write it.
 */
export class EmuStore {
  readonly seed: WorkspaceSeed;
  readonly events = new EventEmitter();
  channels = new Map<string, EmuChannel>();
  /** channel id → messages in ts order (top-level and replies) */
  messages = new Map<string, StoredMessage[]>();
  ephemerals: EphemeralMessage[] = [];
  views = new Map<string, StoredView>();
  /** user id → published App Home view id */
  homes = new Map<string, string>();
  responseUrls = new Map<string, ResponseUrlState>();
  responsePosts: ResponseUrlPost[] = [];
  triggers = new Map<string, TriggerState>();
  requestLog: RequestLogEntry[] = [];
  platformLog: PlatformLogEntry[] = [];
  rateLimited = {
    total: 0,
    byMethod: {} as Record<string, number>,
    byChannel: {} as Record<string, number>,
  };
  private lastMicros = 0n;
  private readonly nowMs: () => number;

  constructor(seed: WorkspaceSeed, nowMs: () => number) {
    this.seed = structuredClone(seed);
    this.nowMs = nowMs;
    this.events.setMaxListeners(100);
    this.loadSeed();
  }

  private loadSeed(): void {
    this.channels = new Map(this.seed.channels.map((c) => [c.id, structuredClone(c)]));
    this.messages = new Map(this.seed.channels.map((c) => [c.id, []]));
  }

  reset(): void {
    this.loadSeed();
    this.ephemerals = [];
    this.views.clear();
    this.homes.clear();
    this.responseUrls.clear();
    this.responsePosts = [];
    this.triggers.clear();
    this.requestLog = [];
    this.platformLog = [];
    this.rateLimited = { total: 0, byMethod: {}, byChannel: {} };
    this.emit({ type: "reset" });
  }

  /** A new ts, strictly greater than every ts handed out before (unique and monotonic). */
  nextTs(): string {
    const now = BigInt(Math.floor(this.nowMs())) * 1000n;
    this.lastMicros = now > this.lastMicros ? now : this.lastMicros + 1n;
    return tsFromMicros(this.lastMicros);
  }

  emit(event: EmuEvent): void {
    this.events.emit("event", event);
  }

  /**
   * Accepts a channel id, or a name with or without '#', as chat.postMessage does; a user id
   * means the app's direct message with that user (Slack posts there, the App Home
   * Messages tab), created on first use.
   */
  findChannel(ref: string): EmuChannel | undefined {
    const byId = this.channels.get(ref);
    if (byId) return byId;
    const person = this.seed.users.find((u) => u.id === ref && !u.is_bot && !u.deleted);
    if (person) return this.imWith(person.id);
    const name = ref.startsWith("#") ? ref.slice(1) : ref;
    for (const c of this.channels.values()) if (c.name === name) return c;
    return undefined;
  }

  /** The id a reference resolves to, without creating anything (for rate-limit keys and logs). */
  channelIdOf(ref: string): string {
    if (this.channels.has(ref)) return ref;
    const name = ref.startsWith("#") ? ref.slice(1) : ref;
    for (const c of this.channels.values()) if (c.name === name && !c.is_im) return c.id;
    if (this.seed.users.some((u) => u.id === ref)) return `D${ref.slice(1)}`;
    return ref;
  }

  imWith(user: string): EmuChannel {
    const id = `D${user.slice(1)}`;
    const existing = this.channels.get(id);
    if (existing) return existing;
    const im: EmuChannel = {
      id,
      name: user,
      is_channel: false,
      is_im: true,
      user,
      is_private: true,
      is_archived: false,
      created: Math.floor(this.nowMs() / 1000),
      members: [user, this.seed.botUserId],
      topic: "",
      purpose: "",
    };
    this.channels.set(id, im);
    return im;
  }

  channelMessages(channel: string): StoredMessage[] {
    let list = this.messages.get(channel);
    if (!list) {
      list = [];
      this.messages.set(channel, list);
    }
    return list;
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.get(channel)?.find((m) => m.ts === ts && !m.deleted);
  }

  logRequest(entry: RequestLogEntry): void {
    this.requestLog.push(entry);
    if (this.requestLog.length > REQUEST_LOG_MAX) this.requestLog.splice(0, REQUEST_LOG_MAX / 10);
  }

  logPlatform(entry: PlatformLogEntry): void {
    this.platformLog.push(entry);
    if (this.platformLog.length > REQUEST_LOG_MAX) this.platformLog.splice(0, REQUEST_LOG_MAX / 10);
    this.emit({ type: "platform", entry });
  }

  countRateLimited(method: string, channel: string | undefined, retryAfterMs: number): void {
    this.rateLimited.total += 1;
    this.rateLimited.byMethod[method] = (this.rateLimited.byMethod[method] ?? 0) + 1;
    if (channel)
      this.rateLimited.byChannel[channel] = (this.rateLimited.byChannel[channel] ?? 0) + 1;
    this.emit({ type: "ratelimited", method, channel, retryAfterMs });
  }
}
