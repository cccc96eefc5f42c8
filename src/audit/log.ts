import pino, { type Logger } from "pino";
import { type Alert, parseAlert } from "../alerts/alert.ts";
import { type RedisClient, scanKeys } from "../shared/redis-client.ts";
import { decodeFields, encodeFields, type FieldValue } from "./codec.ts";
import { sanitizedForWrite } from "./sanitize.ts";
import { appendScript } from "./scripts.ts";
import type { AuditEntry, AuditFilter, AuditInput, AuditRetention, AuditType } from "./types.ts";

/**
 * An entry ready to be written by a script (append.lua's KEYS/ARGV): other atomic steps write
 * their audit entry together with their own keys (src/delivery/lua/mark-delivered.lua).
 */
export interface PreparedAuditEntry {
  /** The stream, then the index sorted sets, then the index streams. */
  keys: string[];
  /** MAXLEN ("" for none), how many index streams end `keys`, then field/value pairs. */
  args: FieldValue[];
}

export interface AuditLogOptions {
  redis: RedisClient;
  /** Key prefix, e.g. "cs:" (every key this log uses starts with it). */
  prefix: string;
  clock?: () => number;
  retention?: AuditRetention;
  logger?: Logger;
  /**
   * Write a post's attempt and result in their own short shapes (0x02 / 0x03; default true).
   * false keeps them JSON (deflated when shorter), which the release before the shapes (stop 24,
   * main b8d1f6f) reads: for one release, while its replicas may still read this log (a rolling
   * deploy, a rollback).
   */
  postShapes?: boolean;
}

/**
 * Append-only audit log in a Redis Stream (entries in codec.ts's compact shape), indexed by alert
 * id and record key in sorted sets (score = entry time, member = stream id) and by channel in a
 * stream of the same ids (a channel gathers thousands of entries a day: a sorted set that large
 * spends over 100 bytes a member, a stream about 20). Channel indexes written before are sorted
 * sets under the old name; they are read too until retention empties them. An entry and its
 * indexes are written in one script; readers skip index members whose entry retention trimmed.
 */
export class AuditLog {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #clock: () => number;
  readonly #retention: AuditRetention;
  readonly #logger: Logger;
  readonly #postShapes: boolean;

  constructor(o: AuditLogOptions) {
    this.#postShapes = o.postShapes ?? true;
    this.#redis = o.redis;
    this.#prefix = `${o.prefix}audit:`;
    this.#clock = o.clock ?? Date.now;
    this.#retention = o.retention ?? {};
    this.#logger = o.logger ?? pino({ level: "silent" });
  }

  get streamKey(): string {
    return `${this.#prefix}log`;
  }

  #index(kind: "alert" | "record" | "channel", value: string): string {
    return `${this.#prefix}idx:${kind}:${value}`;
  }

  /** A channel's index stream (its older entries may be in `#index("channel", …)`, a sorted set). */
  #channelStream(channel: string): string {
    return `${this.#prefix}idxs:channel:${channel}`;
  }

  async append(input: AuditInput): Promise<string> {
    // One script: XADD and the index ZADDs land together (append.lua).
    return appendScript.run(this.#redis, { keys: {}, args: {}, tail: this.prepare(input) });
  }

  /** The keys and arguments append.lua takes for `input`, stamped with the log's clock now. */
  prepare(input: AuditInput): PreparedAuditEntry {
    const fields = encodeFields(
      {
        type: input.type,
        atMs: new Date(this.#clock()).getTime(),
        ...(input.alertId ? { alertId: input.alertId } : {}),
        ...(input.recordKey ? { recordKey: input.recordKey } : {}),
        ...(input.channel ? { channel: input.channel } : {}),
        ...(input.data ? { data: sanitizedForWrite(input.data) as Record<string, unknown> } : {}),
      },
      this.#postShapes,
    );
    const keys = [this.streamKey];
    if (input.alertId) keys.push(this.#index("alert", input.alertId));
    if (input.recordKey) keys.push(this.#index("record", input.recordKey));
    const streams = input.channel ? [this.#channelStream(input.channel)] : [];
    keys.push(...streams);
    const maxLen = this.#retention.maxLen;
    return {
      keys,
      args: [maxLen === undefined ? "" : String(maxLen), String(streams.length), ...fields],
    };
  }

  /** Store an alert durably before it is queued: replay reads it back from here. */
  async storeAlert(alert: Alert, data: Record<string, unknown> = {}): Promise<string> {
    return this.append(alertStored(alert, data));
  }

  /** `storeAlert`'s entry, for a script that writes it with its own keys (delivery's enqueue). */
  prepareAlert(alert: Alert, data: Record<string, unknown> = {}): PreparedAuditEntry {
    return this.prepare(alertStored(alert, data));
  }

  async query(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const from = toMs(filter.from);
    const to = toMs(filter.to);
    const limit = filter.limit ?? 10_000;
    let entries: AuditEntry[];
    const indexed: [kind: "alert" | "record" | "channel", value: string | undefined][] = [
      ["alert", filter.alertId],
      ["record", filter.recordKey],
      ["channel", filter.channel],
    ];
    const first = indexed.find(([, v]) => v !== undefined);
    const start = from !== undefined ? String(from) : "-";
    const end = to !== undefined ? String(to) : "+";
    const types = filter.types ? new Set<AuditType>(filter.types) : undefined;
    const want = types ? (t: AuditType) => types.has(t) : undefined;
    if (first?.[1] !== undefined) {
      let ids = await this.#redis.zrangebyscore(
        this.#index(first[0], first[1]),
        from ?? "-inf",
        to ?? "+inf",
      );
      if (first[0] === "channel") {
        const rows = (await this.#redis.xrange(this.#channelStream(first[1]), start, end)) as [
          string,
          string[],
        ][];
        // concat, not push(...): a busy channel's index outgrows a call's argument limit.
        ids = ids.concat(rows.map(([id]) => id)).sort(byStreamId);
      }
      entries = await this.#read(ids, want);
    } else {
      const raw = (await this.#redis.xrangeBuffer(this.streamKey, start, end)) as [
        Buffer,
        Buffer[],
      ][];
      entries = raw.map(([id, f]) => decodeFields(id.toString("utf8"), f, want));
    }
    return entries
      .filter(
        (e) =>
          (filter.alertId === undefined || e.alertId === filter.alertId) &&
          (filter.recordKey === undefined || e.recordKey === filter.recordKey) &&
          (filter.channel === undefined || e.channel === filter.channel) &&
          (types === undefined || types.has(e.type)),
      )
      .slice(0, limit);
  }

  async #read(ids: string[], want?: (type: AuditType) => boolean): Promise<AuditEntry[]> {
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.xrangeBuffer(this.streamKey, id, id);
    const results = (await pipeline.exec()) ?? [];
    const out: AuditEntry[] = [];
    results.forEach(([err, value], i) => {
      const rows = value as [Buffer, Buffer[]][] | undefined;
      const row = rows?.[0];
      if (err || !row) return; // trimmed by retention
      out.push(decodeFields(ids[i] ?? row[0].toString("utf8"), row[1], want));
    });
    return out;
  }

  /** The latest stored version of each alert matching the filter (for replay). */
  async storedAlerts(filter: AuditFilter = {}): Promise<Alert[]> {
    const entries = await this.query({
      ...filter,
      types: ["alert.stored"],
      limit: Number.MAX_SAFE_INTEGER,
    });
    const latest = new Map<string, Alert>();
    for (const e of entries) {
      const raw = e.data?.alert;
      if (!raw) continue;
      try {
        const alert = parseAlert(raw);
        latest.set(alert.id, alert);
      } catch (err) {
        this.#logger.warn({ err, entry: e.id }, "audit: stored alert no longer parses; skipped");
      }
    }
    return [...latest.values()];
  }

  /** Apply the retention setting now: trim the stream and prune the indexes. */
  async trim(): Promise<void> {
    const { maxLen, maxAgeMs } = this.#retention;
    if (maxLen !== undefined) await this.#redis.xtrim(this.streamKey, "MAXLEN", "~", maxLen);
    if (maxAgeMs !== undefined) {
      const min = this.#clock() - maxAgeMs;
      await this.#redis.xtrim(this.streamKey, "MINID", "~", String(min));
      // Index sets are pruned by score, index streams by id (exactly: readers of an index trust
      // its range); scanning keeps this O(keys) but runs rarely (retention job).
      await scanKeys(this.#redis, `${this.#prefix}idx:*`, async (keys, node) => {
        const p = node.pipeline();
        for (const k of keys) p.zremrangebyscore(k, "-inf", `(${min}`);
        await p.exec();
      });
      await scanKeys(this.#redis, `${this.#prefix}idxs:*`, async (keys, node) => {
        const p = node.pipeline();
        for (const k of keys) p.xtrim(k, "MINID", String(min));
        await p.exec();
      });
    }
  }

  /** Write matching entries as JSON Lines (one entry per line) through `write`; returns the count. */
  async exportJsonl(
    filter: AuditFilter,
    write: (line: string) => void | Promise<void>,
  ): Promise<number> {
    const entries = await this.query({ limit: Number.MAX_SAFE_INTEGER, ...filter });
    for (const e of entries) await write(`${JSON.stringify(e)}\n`);
    return entries.length;
  }
}

function alertStored(alert: Alert, data: Record<string, unknown>): AuditInput {
  return {
    type: "alert.stored",
    alertId: alert.id,
    recordKey: alert.recordKey,
    channel: alert.channel,
    data: { ...data, alert },
  };
}

function toMs(t: number | Date | undefined): number | undefined {
  if (t === undefined) return undefined;
  return t instanceof Date ? t.getTime() : t;
}

/** Stream ids in log order (`<ms>-<seq>`: numeric, not text, order). */
function byStreamId(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}
