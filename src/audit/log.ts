import { deflateRawSync, inflateRawSync } from "node:zlib";
import pino, { type Logger } from "pino";
import { type Alert, parseAlert } from "../alerts/alert.ts";
import { type RedisClient, scanKeys } from "../shared/redis-client.ts";
import { sanitize } from "./sanitize.ts";
import { appendScript } from "./scripts.ts";
import {
  type AuditEntry,
  type AuditFilter,
  type AuditInput,
  type AuditRetention,
  type AuditType,
  isAuditType,
} from "./types.ts";

/**
 * An entry ready to be written by a script (append.lua's KEYS/ARGV): other atomic steps write
 * their audit entry together with their own keys (src/delivery/lua/mark-delivered.lua).
 */
export interface PreparedAuditEntry {
  /** The stream, then the index sorted sets. */
  keys: string[];
  /** MAXLEN ("" for none), then field/value pairs. */
  args: string[];
}

export interface AuditLogOptions {
  redis: RedisClient;
  /** Key prefix, e.g. "cs:" (every key this log uses starts with it). */
  prefix: string;
  clock?: () => number;
  retention?: AuditRetention;
  logger?: Logger;
}

/**
 * Append-only audit log in a Redis Stream, with sorted-set indexes by alert id, record key and
 * channel (score = entry time, member = stream id). Writes go in one MULTI so an entry and its
 * indexes appear together; readers skip index members whose entry retention already trimmed.
 */
export class AuditLog {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #clock: () => number;
  readonly #retention: AuditRetention;
  readonly #logger: Logger;

  constructor(o: AuditLogOptions) {
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

  async append(input: AuditInput): Promise<string> {
    // One script: XADD and the index ZADDs land together (append.lua).
    return appendScript.run(this.#redis, { keys: {}, args: {}, tail: this.prepare(input) });
  }

  /** The keys and arguments append.lua takes for `input`, stamped with the log's clock now. */
  prepare(input: AuditInput): PreparedAuditEntry {
    const at = new Date(this.#clock()).toISOString();
    const fields: string[] = ["type", input.type, "at", at];
    if (input.alertId) fields.push("alertId", input.alertId);
    if (input.recordKey) fields.push("recordKey", input.recordKey);
    if (input.channel) fields.push("channel", input.channel);
    if (input.data) fields.push(...dataField(JSON.stringify(sanitize(input.data))));
    const keys = [this.streamKey];
    if (input.alertId) keys.push(this.#index("alert", input.alertId));
    if (input.recordKey) keys.push(this.#index("record", input.recordKey));
    if (input.channel) keys.push(this.#index("channel", input.channel));
    const maxLen = this.#retention.maxLen;
    return { keys, args: [maxLen === undefined ? "" : String(maxLen), ...fields] };
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
    if (first?.[1] !== undefined) {
      const ids = await this.#redis.zrangebyscore(
        this.#index(first[0], first[1]),
        from ?? "-inf",
        to ?? "+inf",
      );
      entries = await this.#read(ids);
    } else {
      const raw = (await this.#redis.xrange(
        this.streamKey,
        from !== undefined ? String(from) : "-",
        to !== undefined ? String(to) : "+",
      )) as [string, string[]][];
      entries = raw.map(([id, f]) => toEntry(id, f));
    }
    const types = filter.types ? new Set<AuditType>(filter.types) : undefined;
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

  async #read(ids: string[]): Promise<AuditEntry[]> {
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.xrange(this.streamKey, id, id);
    const results = (await pipeline.exec()) ?? [];
    const out: AuditEntry[] = [];
    results.forEach(([err, value], i) => {
      const rows = value as [string, string[]][] | undefined;
      const row = rows?.[0];
      if (err || !row) return; // trimmed by retention
      out.push(toEntry(ids[i] ?? row[0], row[1]));
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
      // Index sets are pruned by score; scanning keeps this O(keys) but runs rarely (retention job).
      await scanKeys(this.#redis, `${this.#prefix}idx:*`, async (keys, node) => {
        const p = node.pipeline();
        for (const k of keys) p.zremrangebyscore(k, "-inf", `(${min}`);
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

function toEntry(id: string, flat: string[]): AuditEntry {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i] as string] = flat[i + 1] as string;
  const entry: AuditEntry = { id, at: f.at ?? "", type: (f.type ?? "ops") as AuditType };
  if (f.alertId) entry.alertId = f.alertId;
  if (f.recordKey) entry.recordKey = f.recordKey;
  if (f.channel) entry.channel = f.channel;
  if (f.data) entry.data = JSON.parse(dataOf(f.data)) as Record<string, unknown>;
  return fromLegacy(entry);
}

/**
 * Data over this many bytes of JSON is stored deflated (raw DEFLATE, base64, after a `~`, which
 * no JSON object starts with), in the same `data` field so every entry keeps the stream's field
 * names (a stream stores them once per listpack while entries repeat its first entry's fields).
 * An `alert.stored` entry carries the whole alert (0.5 KB for a payment, 1.5 KB and more for an
 * invoice with lines); see the scale run (bench/scenarios/scale.ts) for Redis memory per entry.
 */
const DEFLATE_OVER = 256;
const DEFLATED = "~";

function dataField(json: string): [string, string] {
  if (json.length <= DEFLATE_OVER) return ["data", json];
  const packed = `${DEFLATED}${deflateRawSync(Buffer.from(json, "utf8")).toString("base64")}`;
  return ["data", packed.length < json.length ? packed : json];
}

function dataOf(stored: string): string {
  if (!stored.startsWith(DEFLATED)) return stored;
  return inflateRawSync(Buffer.from(stored.slice(DEFLATED.length), "base64")).toString("utf8");
}

/**
 * Before commands and approvals had types of their own they were stored as `ops` entries with the
 * kind in `data.event`. Read such entries as their real type, so a type filter and an export
 * treat old and new entries alike (the stream is append-only: nothing is rewritten).
 */
function fromLegacy(entry: AuditEntry): AuditEntry {
  const event = entry.data?.event;
  if (entry.type !== "ops" || event === "ops" || !isAuditType(event)) return entry;
  const { event: _kind, ...data } = entry.data ?? {};
  return { ...entry, type: event, data };
}
