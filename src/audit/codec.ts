import { deflateRawSync, inflateRawSync } from "node:zlib";
import { DICTIONARY_V1 } from "./dictionary.ts";
import { type AuditEntry, type AuditType, isAuditType } from "./types.ts";

/**
 * How an entry lies in the stream. Two shapes, both read:
 *
 * - compact (written now): one-letter names, always all six in the same order so every entry of
 *   a stream node shares its first entry's names (Redis then stores no names per entry; a field
 *   left out would store them all again): t type code, m time (epoch ms), i alert id,
 *   r record key, c channel (empty when absent), d data (JSON, or 0x01 + DEFLATE with
 *   DICTIONARY_V1, or a post's attempt or result in a shape of its own: 0x02 / 0x03, see
 *   SHAPE_ATTEMPT). Redis keeps the integer fields (t, m) as integers: 2 and 10 bytes instead of
 *   12 and 26. An alert in the data (`data.alert`: alert.stored, skipped) leaves out its id,
 *   record key and channel when they are the entry's own; an Alert always has all three, so
 *   one missing on read is filled in from the entry.
 * - named (written before): type, at (ISO 8601), alertId, recordKey, channel, data (JSON, or "~"
 *   and base64 of raw DEFLATE), absent fields left out.
 */
export type FieldValue = string | Buffer;

/**
 * Stable codes of the types in the compact shape: append only, never renumber (entries already
 * in Redis are read with this table). A type missing here is written by name.
 */
export const TYPE_CODES: Readonly<Record<AuditType, number>> = {
  "alert.stored": 1,
  "post.attempt": 2,
  "post.result": 3,
  "post.ambiguous": 4,
  "post.resolved": 5,
  delivered: 6,
  skipped: 7,
  digest: 8,
  replay: 9,
  dead_letter: 10,
  ops: 11,
  command: 12,
  "approval.created": 13,
  "approval.decided": 14,
  "approval.refused": 15,
  "approval.stale": 16,
  "approval.superseded": 17,
  "approval.reminded": 18,
  "approval.escalated": 19,
  "approval.expired": 20,
  "approval.writeback": 21,
  "approval.commented": 22,
  "approval.info_requested": 23,
  "approval.info_answered": 24,
  "approval.delegated": 25,
  "post.duplicate": 26,
};
const TYPE_OF_CODE = new Map(Object.entries(TYPE_CODES).map(([t, c]) => [String(c), t]));

/** Data shorter than this stays plain JSON (deflate cannot win much on it). */
const DEFLATE_FROM = 48;
/** First byte of data deflated with DICTIONARY_V1 (JSON never starts with a control byte). */
const DICT_V1 = 0x01;
/**
 * First bytes of the two entries every post writes, in a shape of their own (no JSON, no
 * deflate: a post's attempt and result cost no zlib stream and a few bytes each). FROZEN as the
 * marker above: entries in Redis are read with them; another shape takes a new byte.
 * ATTEMPT: `{"mode":M,"attempt":N}` as mode letter (p post, u update) + N in decimal.
 * RESULT: `{"ok":true,"ts":T,"mode":M}` as mode letter + T.
 */
const SHAPE_ATTEMPT = 0x02;
const SHAPE_RESULT = 0x03;
const MODE_LETTERS: ReadonlyMap<unknown, string> = new Map([
  ["post", "p"],
  ["update", "u"],
]);
const MODE_OF_LETTER: ReadonlyMap<number, string> = new Map([
  [0x70, "post"],
  [0x75, "update"],
]);
/** First character of data in the named shape's deflated form. */
const NAMED_DEFLATED = "~";

export interface EncodeInput {
  type: AuditType;
  atMs: number;
  alertId?: string;
  recordKey?: string;
  channel?: string;
  /** Already sanitized. */
  data?: Record<string, unknown>;
}

/** The compact shape's field, value pairs of one entry. */
export function encodeFields(e: EncodeInput, postShapes = true): FieldValue[] {
  const data =
    e.data === undefined
      ? ""
      : ((postShapes ? shaped(e.data) : undefined) ??
        packData(JSON.stringify(withoutOwnFields(e))));
  return [
    "t",
    String(TYPE_CODES[e.type] ?? e.type),
    "m",
    String(Math.floor(e.atMs)),
    "i",
    e.alertId ?? "",
    "r",
    e.recordKey ?? "",
    "c",
    e.channel ?? "",
    "d",
    data,
  ];
}

/**
 * An entry from its stream id and field, value pairs as Redis returns them (either shape).
 * With `want`, an entry of another type is returned without its data: a query filtering by
 * type drops it anyway, and its data is most of the decoding (inflate, JSON). Legacy "ops"
 * entries name their type in their data, so they are always decoded whole.
 */
export function decodeFields(
  id: string,
  flat: readonly Buffer[],
  want?: (type: AuditType) => boolean,
): AuditEntry {
  const f = new Map<string, Buffer>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    f.set((flat[i] as Buffer).toString("utf8"), flat[i + 1] as Buffer);
  }
  return f.has("t") ? decodeCompact(id, f, want) : decodeNamed(id, f, want);
}

function decodeCompact(
  id: string,
  f: Map<string, Buffer>,
  want?: (type: AuditType) => boolean,
): AuditEntry {
  const text = (k: string) => f.get(k)?.toString("utf8") ?? "";
  const code = text("t");
  const entry: AuditEntry = {
    id,
    at: new Date(Number(text("m"))).toISOString(),
    type: (TYPE_OF_CODE.get(code) ?? code) as AuditType,
  };
  if (text("i")) entry.alertId = text("i");
  if (text("r")) entry.recordKey = text("r");
  if (text("c")) entry.channel = text("c");
  if (want && entry.type !== "ops" && !want(entry.type)) return entry;
  const d = f.get("d");
  if (d && d.length > 0) {
    try {
      entry.data = unshaped(d) ?? withOwnFields(entry, parseData(unpackData(d)));
    } catch (err) {
      return undecodable(entry, d[0] ?? 0, err);
    }
  }
  return fromLegacy(entry);
}

/** JSON data is an object: anything else (a form of a later release) is not ours to guess. */
function parseData(text: string): Record<string, unknown> {
  const data: unknown = JSON.parse(text);
  if (!isObject(data)) throw new Error("audit: data is not a JSON object");
  return data;
}

/**
 * An entry whose data cannot be read here keeps its id, time, type and keys and says why: one
 * entry a later release wrote in a form of its own (a rolling deploy, a rollback) must not fail
 * a whole query, an export or an alert's history.
 */
function undecodable(entry: AuditEntry, firstByte: number, err: unknown): AuditEntry {
  const why = err instanceof SyntaxError ? "not JSON" : "unknown form";
  entry.undecodable = `data in a form this release cannot read (${why}, first byte 0x${firstByte.toString(16).padStart(2, "0")})`;
  return entry;
}

function decodeNamed(
  id: string,
  f: Map<string, Buffer>,
  want?: (type: AuditType) => boolean,
): AuditEntry {
  const text = (k: string) => f.get(k)?.toString("utf8") ?? "";
  const entry: AuditEntry = { id, at: text("at"), type: (text("type") || "ops") as AuditType };
  if (text("alertId")) entry.alertId = text("alertId");
  if (text("recordKey")) entry.recordKey = text("recordKey");
  if (text("channel")) entry.channel = text("channel");
  if (want && entry.type !== "ops" && !want(entry.type)) return entry;
  const data = text("data");
  if (data) {
    try {
      const json = data.startsWith(NAMED_DEFLATED) ? inflateNamed(data.slice(1)) : data;
      entry.data = parseData(json);
    } catch (err) {
      return undecodable(entry, data.charCodeAt(0), err);
    }
  }
  return fromLegacy(entry);
}

/**
 * zlib's sync calls write into output chunks of `chunkSize` (16 KiB by default) and hand back a
 * slice that keeps the whole chunk alive until a collection: 16 KiB for a 150-byte entry, at
 * every post in a worker and every entry a replay reads. A chunk about the output's size keeps
 * it to that (a larger output just takes more chunks). zlib's least is 64.
 */
const MIN_CHUNK = 64;
const MAX_CHUNK = 16 * 1024;
/** What the dictionary deflates an alert's JSON to, about: sizes the inflate chunk. */
const INFLATE_RATIO = 4;

function packData(json: string): FieldValue {
  if (json.length < DEFLATE_FROM) return json;
  const input = Buffer.from(json, "utf8");
  const packed = deflateRawSync(input, {
    dictionary: DICTIONARY_V1,
    chunkSize: Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, input.length)),
  });
  return packed.length + 1 < input.length ? Buffer.concat([Buffer.of(DICT_V1), packed]) : json;
}

/**
 * The data of a post's attempt or result in its own shape (SHAPE_ATTEMPT, SHAPE_RESULT), when it
 * is exactly that: the same keys in the same order, values of the same kinds (what JSON.parse of
 * its JSON gives back is what `unshaped` gives back); undefined for any other data.
 */
function shaped(d: Record<string, unknown>): string | undefined {
  const keys = Object.keys(d);
  if (keys.length === 2 && keys[0] === "mode" && keys[1] === "attempt") {
    const mode = MODE_LETTERS.get(d.mode);
    const n = d.attempt;
    if (!mode || typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) return undefined;
    return `${String.fromCharCode(SHAPE_ATTEMPT)}${mode}${n}`;
  }
  if (keys.length === 3 && keys[0] === "ok" && keys[1] === "ts" && keys[2] === "mode") {
    const mode = MODE_LETTERS.get(d.mode);
    if (!mode || d.ok !== true || typeof d.ts !== "string") return undefined;
    return `${String.fromCharCode(SHAPE_RESULT)}${mode}${d.ts}`;
  }
  return undefined;
}

/** The data of an entry `shaped` wrote, or undefined for data in another form. */
function unshaped(stored: Buffer): Record<string, unknown> | undefined {
  const kind = stored[0];
  if (kind !== SHAPE_ATTEMPT && kind !== SHAPE_RESULT) return undefined;
  const mode = MODE_OF_LETTER.get(stored[1] ?? 0);
  if (mode === undefined) throw new Error(`audit: unknown mode in shaped data ${stored[1]}`);
  if (kind === SHAPE_ATTEMPT) return { mode, attempt: Number(stored.toString("latin1", 2)) };
  return { ok: true, ts: stored.toString("utf8", 2), mode };
}

function inflateNamed(base64: string): string {
  const deflated = Buffer.from(base64, "base64");
  const chunkSize = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, deflated.length * INFLATE_RATIO));
  return inflateRawSync(deflated, { chunkSize }).toString("utf8");
}

function unpackData(stored: Buffer): string {
  if (stored[0] !== DICT_V1) return stored.toString("utf8");
  return inflateRawSync(stored.subarray(1), {
    dictionary: DICTIONARY_V1,
    chunkSize: Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, stored.length * INFLATE_RATIO)),
  }).toString("utf8");
}

/** An alert's id, record key and channel, when the entry's own, are not stored twice. */
const OWN = [
  ["id", "alertId"],
  ["recordKey", "recordKey"],
  ["channel", "channel"],
] as const;

function withoutOwnFields(e: EncodeInput): Record<string, unknown> | undefined {
  const alert = e.data?.alert;
  if (!isObject(alert)) return e.data;
  const slim: Record<string, unknown> = { ...alert };
  for (const [inAlert, inEntry] of OWN) {
    if (e[inEntry] !== undefined && slim[inAlert] === e[inEntry]) delete slim[inAlert];
  }
  return { ...e.data, alert: slim };
}

function withOwnFields(entry: AuditEntry, data: Record<string, unknown>): Record<string, unknown> {
  const alert = data.alert;
  if (!isObject(alert)) return data;
  const own: Record<string, unknown> = {};
  for (const [inAlert, inEntry] of OWN) {
    if (!(inAlert in alert) && entry[inEntry] !== undefined) own[inAlert] = entry[inEntry];
  }
  return { ...data, alert: { ...own, ...alert } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
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
