import { createHash } from "node:crypto";
import { DEFAULT_KEY_PREFIX } from "../shared/key-prefix.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import { createScript, transitionScript } from "./scripts.ts";
import {
  type Approval,
  type ApprovalAuditEvent,
  type ApprovalState,
  type ApprovalSubject,
  type ApprovalVerb,
  type DirectCard,
  FINAL_STATES,
  VERB_FROM,
  VERB_TARGET,
} from "./types.ts";

/** How many recent decisions App Home keeps per person. */
const RECENT_DECISIONS_KEPT = 20;

export type TransitionResult =
  /** `audited`: the entry passed to transition() was written in the same step. */
  | { ok: true; approval: Approval; audited: boolean }
  | {
      ok: false;
      code: "not_found";
    }
  | {
      ok: false;
      code: "not_allowed";
      state: ApprovalState;
      by: string;
      at: string;
      reason: string;
    };

export interface ApprovalStore {
  /** Create (once per alert) and return the pending approval; `created` is false on a repeat. */
  create(subject: ApprovalSubject): Promise<{ approval: Approval; created: boolean }>;
  get(id: string): Promise<Approval | undefined>;
  /** Remember where the alert message is (delivery calls this after posting). */
  attachMessage(id: string, channel: string, ts: string): Promise<void>;
  /**
   * Register the direct message `channel` where `user` gets a card of this approval (before
   * the card is queued): attachMessage for that channel then records the card, not the
   * approval's channel message, and a click there is bound to the approval.
   */
  expectDirectCard(id: string, user: string, channel: string): Promise<void>;
  /** The approval whose buttons were last attached to this message. */
  forMessage(channel: string, ts: string): Promise<Approval | undefined>;
  /**
   * Move the approval once. With `audit` and a store built with `prepareAudit`, the entry (its
   * `at` and `state` taken from the transition) is written in the same Lua step; otherwise the
   * caller appends it (`audited: false`).
   */
  transition(
    id: string,
    verb: ApprovalVerb,
    actor: string,
    reason?: string,
    audit?: TransitionAudit,
  ): Promise<TransitionResult>;
  /** Open approvals (pending, hold, escalated), oldest first. */
  listOpen(limit?: number): Promise<Approval[]>;
  recentDecisions(actor: string, limit?: number): Promise<Approval[]>;
  /** The latest approval created for a record (`recordKey()`), for lookups that show its state. */
  latestForRecord(recordKey: string): Promise<Approval | undefined>;
  /** Every approval of a record (an invoice's exceptions each have one), newest first. */
  forRecord(recordKey: string, limit?: number): Promise<Approval[]>;
  /**
   * Moves an open approval to `info_requested`, asking `asked` the `question` (who asked is the
   * actor); the audit entry goes in the same step as with transition().
   */
  requestInfo(
    id: string,
    actor: string,
    asked: string,
    question: string,
    audit?: TransitionAudit,
  ): Promise<TransitionResult>;
  /**
   * Remember the words stamped for the approval's transition into `state` at `at` (its
   * decidedAt, escalatedAt or info.at): read back as `stamp` until the approval moves again.
   */
  setStamp(id: string, stamp: { state: ApprovalState; at: string; lines: string[] }): Promise<void>;
  /** True for the one caller that marks the reminder (replicas may sweep at once). */
  markReminded(id: string): Promise<boolean>;
}

/** The audit entry of a transition; `at` and `state` come from the transition itself. */
export type TransitionAudit = Omit<ApprovalAuditEvent, "at" | "state">;

/** An audit entry as src/audit's AuditLog.prepare gives it: stream + indexes, MAXLEN + fields. */
export interface PreparedAudit {
  keys: string[];
  /** Text, or bytes (deflated data). */
  args: (string | Buffer)[];
}

export interface ApprovalStoreOptions {
  /**
   * Turns an approval audit event into the audit log's entry (keys and args of
   * src/audit/append.lua), so a transition and its entry are written in one step.
   */
  prepareAudit?: (event: ApprovalAuditEvent) => PreparedAudit;
  redis: RedisClient;
  /** Key prefix, e.g. "cs:" in production or a random test prefix. */
  prefix?: string;
  clock?: () => number;
  /** Days a decided approval stays readable (stale clicks, App Home history); default 90. */
  retainDecidedDays?: number;
}

/** Opaque, stable id for the approval of an alert: safe in button values and metadata. */
export function approvalIdFor(alertId: string): string {
  return `apv_${createHash("sha256").update(alertId).digest("hex").slice(0, 24)}`;
}

export function createApprovalStore(options: ApprovalStoreOptions): ApprovalStore {
  const { redis } = options;
  const prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
  const clock = options.clock ?? Date.now;
  const retainSeconds = Math.round((options.retainDecidedDays ?? 90) * 86_400);
  // Covers a long-open approval plus its retention; the index only feeds lookups' display.
  const indexSeconds = retainSeconds + 180 * 86_400;
  const key = (id: string) => `${prefix}approval:${id}`;
  const openKey = `${prefix}approvals:open`;
  const decisionsKey = (actor: string) => `${prefix}approvals:decided-by:${actor}`;
  const recordIndexKey = (recordKey: string) => `${prefix}approvals:by-record:${recordKey}`;
  const recordListKey = (recordKey: string) => `${prefix}approvals:by-record-all:${recordKey}`;
  const messageIndexKey = (channel: string, ts: string) =>
    `${prefix}approvals:by-message:${channel}:${ts}`;
  /** Direct-message cards of one approval: conversation id → JSON { user, ts? }. */
  const cardsKey = (id: string) => `${prefix}approval-cards:${id}`;

  async function get(id: string): Promise<Approval | undefined> {
    return (await getMany([id]))[0];
  }

  async function getMany(ids: string[]): Promise<Approval[]> {
    if (ids.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hgetall(key(id)).hgetall(cardsKey(id));
    const results = (await pipeline.exec()) ?? [];
    const out: Approval[] = [];
    ids.forEach((id, i) => {
      const [err, h] = results[2 * i] ?? [];
      if (err) return;
      const a = fromHash(id, h as Record<string, string>);
      if (!a) return;
      const cards = directCardsOf(results[2 * i + 1]?.[1] as Record<string, string> | undefined);
      if (cards.length > 0) a.directCards = cards;
      out.push(a);
    });
    return out;
  }

  const store: ApprovalStore = {
    async create(subject) {
      const id = approvalIdFor(subject.alertId);
      const now = clock();
      const created = await createScript.run(redis, {
        keys: {
          approval: key(id),
          open: openKey,
          recordLatest: recordIndexKey(subject.recordKey),
          recordAll: recordListKey(subject.recordKey),
        },
        args: {
          id,
          subject: JSON.stringify(subject),
          createdMs: now,
          createdAt: new Date(now).toISOString(),
          indexSeconds,
        },
      });
      const approval = await get(id);
      if (!approval) throw new Error(`approval ${id} vanished right after create`);
      return { approval, created };
    },

    get,

    async expectDirectCard(id, user, channel) {
      if ((await redis.exists(key(id))) !== 1) return;
      // HSETNX: registering again (a later version of the card) keeps the posted card's ts.
      await redis
        .multi()
        .hsetnx(cardsKey(id), channel, JSON.stringify({ user }))
        .expire(cardsKey(id), indexSeconds)
        .exec();
    },

    async attachMessage(id, channel, ts) {
      // Only for an existing approval: HSET on a missing key would create a stateless husk.
      if ((await redis.exists(key(id))) !== 1) return;
      const card = await redis.hget(cardsKey(id), channel);
      if (card !== null) {
        // An approver's card: the approval's channel message stays where it is.
        const { user } = JSON.parse(card) as { user: string };
        await redis
          .multi()
          .hset(cardsKey(id), channel, JSON.stringify({ user, ts }))
          .set(messageIndexKey(channel, ts), id, "EX", indexSeconds)
          .exec();
        return;
      }
      // A changed exception carries a new approval on the same message: the index follows the
      // latest, so an edit without buttons of its own shows the approval the message last had.
      await redis
        .multi()
        .hset(key(id), { channel, ts })
        .set(messageIndexKey(channel, ts), id, "EX", indexSeconds)
        .exec();
    },

    async forMessage(channel, ts) {
      const id = await redis.get(messageIndexKey(channel, ts));
      return id === null ? undefined : get(id);
    },

    async transition(id, verb, actor, reason = "", audit) {
      const target = VERB_TARGET[verb];
      const now = clock();
      const at = new Date(now).toISOString();
      const isFinal = FINAL_STATES.includes(target);
      const personal =
        actor !== "system" && (isFinal || target === "hold" || target === "info_requested");
      const entry =
        audit && options.prepareAudit
          ? options.prepareAudit({ ...audit, at, state: target })
          : undefined;
      const reply = await transitionScript.run(redis, {
        keys: { approval: key(id), open: openKey, decisions: decisionsKey(actor) },
        args: {
          id,
          from: VERB_FROM[verb].join(","),
          target,
          actor,
          at,
          reason,
          atMs: now,
          final: isFinal ? "1" : "0",
          personal: personal ? "1" : "0",
          keepDecisions: RECENT_DECISIONS_KEPT,
          retainSeconds,
        },
        ...(entry && { tail: entry }),
      });
      if (reply.code === "not_found") return { ok: false, code: "not_found" };
      if (reply.code === "refused") {
        const { state, by, at: lastAt, reason: lastReason } = reply;
        return { ok: false, code: "not_allowed", state, by, at: lastAt, reason: lastReason };
      }
      const approval = await get(id);
      if (!approval) return { ok: false, code: "not_found" };
      return { ok: true, approval, audited: entry !== undefined };
    },

    async requestInfo(id, actor, asked, question, audit) {
      // transition.lua splits the two again; a user id never holds a newline.
      return store.transition(id, "request_info", actor, `${asked}\n${question}`, audit);
    },

    async listOpen(limit = 200) {
      const ids = await redis.zrange(openKey, "0", String(limit - 1));
      return getMany(ids);
    },

    async recentDecisions(actor, limit = 10) {
      const ids = await redis.zrevrange(decisionsKey(actor), 0, limit - 1);
      return getMany(ids);
    },

    async latestForRecord(recordKey) {
      const id = await redis.get(recordIndexKey(recordKey));
      return id === null ? undefined : get(id);
    },

    async forRecord(recordKey, limit = 10) {
      const ids = await redis.zrevrange(recordListKey(recordKey), 0, limit - 1);
      if (ids.length > 0) return getMany(ids);
      // Approvals created before the list existed have only the latest-id index.
      const latest = await redis.get(recordIndexKey(recordKey));
      return latest === null ? [] : getMany([latest]);
    },

    async setStamp(id, stamp) {
      // Only for an existing approval: HSET on a missing key would create a stateless husk.
      if ((await redis.exists(key(id))) !== 1) return;
      await redis.hset(key(id), "stamp", JSON.stringify(stamp));
    },

    async markReminded(id) {
      const set = await redis.hsetnx(key(id), "remindedAt", new Date(clock()).toISOString());
      return set === 1;
    },
  };
  return store;
}

/** The stamped words, if written for the transition the approval is in now (its lastAt). */
function stampOf(h: Record<string, string>): string[] | undefined {
  if (!h.stamp) return undefined;
  try {
    const s = JSON.parse(h.stamp) as { state?: string; at?: string; lines?: unknown };
    if (s.state !== h.state || !s.at || s.at !== h.lastAt || !Array.isArray(s.lines)) return;
    return s.lines.filter((l): l is string => typeof l === "string");
  } catch {
    // Written by this module only; unreadable means absent (the plain line is shown).
    return undefined;
  }
}

function directCardsOf(h: Record<string, string> | undefined): DirectCard[] {
  return Object.entries(h ?? {}).map(([channel, json]) => {
    const { user, ts } = JSON.parse(json) as { user: string; ts?: string };
    return { user, channel, ...(ts ? { ts } : {}) };
  });
}

function fromHash(id: string, h: Record<string, string>): Approval | undefined {
  if (!h.state || !h.data) return undefined;
  const subject = JSON.parse(h.data) as ApprovalSubject;
  const a: Approval = {
    ...subject,
    id,
    state: h.state as ApprovalState,
    createdAt: h.createdAt ?? "",
  };
  if (h.channel) a.channel = h.channel;
  if (h.ts) a.ts = h.ts;
  if (h.decidedBy) a.decidedBy = h.decidedBy;
  if (h.decidedAt) a.decidedAt = h.decidedAt;
  if (h.reason) a.reason = h.reason;
  if (h.remindedAt) a.remindedAt = h.remindedAt;
  if (h.escalatedAt) a.escalatedAt = h.escalatedAt;
  if (h.state === "info_requested" && h.infoBy) {
    a.info = {
      asked: h.infoAsked ?? "",
      by: h.infoBy,
      question: h.infoQuestion ?? "",
      at: h.infoAt ?? "",
    };
  }
  const stamp = stampOf(h);
  if (stamp) a.stamp = stamp;
  if (h.state === "hold" && h.lastBy) {
    a.decidedBy = h.lastBy;
    if (h.lastAt) a.decidedAt = h.lastAt;
    if (h.lastReason) a.reason = h.lastReason;
  }
  return a;
}
