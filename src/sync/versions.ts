import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { RedisClient } from "../shared/redis-client.ts";
import type { Canonical } from "./canonical.ts";
import type { StoredVersion } from "./detect.ts";

/**
 * Stored versions per poll key: one Redis hash, field = record key, value = JSON
 * `{ h: hash, r: rev, s?: base64(deflate(canonical JSON)) }`. The snapshot is what lets an
 * `updated` alert name the fields that changed; deflate keeps line-heavy documents small.
 */
interface Encoded {
  h: string;
  r: number;
  s?: string;
}

/**
 * Encodings by version object: a page stages its versions, then saves the same objects
 * (page.ts), and deflating each snapshot twice was a share of the poll's CPU
 * (bench/scenarios/pipeline.ts). Keyed by object, so a new version is encoded anew.
 */
const encoded = new WeakMap<StoredVersion, { keepSnapshot: boolean; text: string }>();

export function encodeVersion(v: StoredVersion, keepSnapshot: boolean): string {
  const known = encoded.get(v);
  if (known?.keepSnapshot === keepSnapshot) return known.text;
  const text = encodeFresh(v, keepSnapshot);
  encoded.set(v, { keepSnapshot, text });
  return text;
}

function encodeFresh(v: StoredVersion, keepSnapshot: boolean): string {
  const e: Encoded = { h: v.hash, r: v.rev };
  if (keepSnapshot && v.snapshot !== undefined) {
    e.s = deflateRawSync(Buffer.from(JSON.stringify(v.snapshot))).toString("base64");
  }
  return JSON.stringify(e);
}

export function decodeVersion(text: string): StoredVersion | undefined {
  try {
    const e = JSON.parse(text) as Encoded;
    if (typeof e.h !== "string" || typeof e.r !== "number") return undefined;
    const v: StoredVersion = { hash: e.h, rev: e.r };
    if (typeof e.s === "string") {
      v.snapshot = JSON.parse(inflateRawSync(Buffer.from(e.s, "base64")).toString()) as Canonical;
    }
    return v;
  } catch {
    // A corrupt entry reads as "never seen": the record alerts as new once, which beats losing it.
    return undefined;
  }
}

export async function loadVersions(
  redis: RedisClient,
  hashKey: string,
  recordKeys: readonly string[],
): Promise<Map<string, StoredVersion>> {
  const out = new Map<string, StoredVersion>();
  if (recordKeys.length === 0) return out;
  const values = await redis.hmget(hashKey, ...recordKeys);
  recordKeys.forEach((k, i) => {
    const text = values[i];
    const v = text ? decodeVersion(text) : undefined;
    if (v) out.set(k, v);
  });
  return out;
}

export async function saveVersions(
  redis: RedisClient,
  hashKey: string,
  versions: ReadonlyMap<string, StoredVersion>,
  keepSnapshot: boolean,
): Promise<void> {
  if (versions.size === 0) return;
  await redis.hset(hashKey, ...hashFields(versions, keepSnapshot));
}

/** HSET's field/value list for a map of versions. */
function hashFields(versions: ReadonlyMap<string, StoredVersion>, keepSnapshot: boolean): string[] {
  const flat: string[] = [];
  for (const [k, v] of versions) flat.push(k, encodeVersion(v, keepSnapshot));
  return flat;
}

/**
 * Save versions and drop their staged copies in one MULTI, so no moment exists in which a
 * version is neither saved nor staged.
 */
export async function commitVersions(
  redis: RedisClient,
  hashKey: string,
  stagedKey: string,
  versions: ReadonlyMap<string, StoredVersion>,
  keepSnapshot: boolean,
): Promise<void> {
  if (versions.size === 0) return;
  await redis
    .multi()
    .hset(hashKey, ...hashFields(versions, keepSnapshot))
    .hdel(stagedKey, ...versions.keys())
    .exec();
}
