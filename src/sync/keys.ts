import type { Entity } from "../infor/records.ts";

/** One polling key: what a schedule, a watermark, a lock and the counters belong to. */
export interface PollKey {
  tenant: string;
  company: string;
  /** Empty when the company is polled as a whole (SyteLine sites map to company). */
  division: string;
  entity: Entity;
}

const enc = (s: string) => encodeURIComponent(s);

/** `tenant/company/division/entity`, each part URI-encoded: readable and unambiguous. */
export function pollKeyId(k: PollKey): string {
  return [k.tenant, k.company, k.division, k.entity].map(enc).join("/");
}

export function parsePollKeyId(id: string): PollKey | undefined {
  const parts = id.split("/");
  if (parts.length !== 4) return undefined;
  const [tenant, company, division, entity] = parts.map((p) => decodeURIComponent(p));
  if (!tenant || !company || division === undefined || !entity) return undefined;
  return { tenant, company, division, entity: entity as Entity };
}

/**
 * BullMQ job scheduler id for a key. BullMQ rejects custom job ids containing ":" and builds the
 * iteration job id as `repeat:<scheduler id>:<millis>`, so the id avoids ":".
 */
export function schedulerId(k: PollKey): string {
  return `poll/${pollKeyId(k)}`;
}

export const SCHEDULER_PREFIX = "poll/";

/** Redis key names under one prefix (e.g. `cs:`); tests pass a unique prefix per file. */
export function syncKeys(prefix: string) {
  const p = `${prefix}sync:`;
  return {
    /** Set of every poll key id seen, for `/infor status`. */
    registry: `${p}keys`,
    watermark: (k: PollKey) => `${p}wm:${pollKeyId(k)}`,
    /** Hash: record key → stored version (hash, rev, compressed snapshot). */
    versions: (k: PollKey) => `${p}ver:${pollKeyId(k)}`,
    /**
     * Hash: record key → version handed to the sink but not yet saved in `versions` (page.ts);
     * what a re-read after a crash compares a changed record with.
     */
    staged: (k: PollKey) => `${p}verstaged:${pollKeyId(k)}`,
    lock: (k: PollKey) => `${p}lock:${pollKeyId(k)}`,
    failures: (k: PollKey) => `${p}fail:${pollKeyId(k)}`,
    status: (k: PollKey) => `${p}status:${pollKeyId(k)}`,
    /** Sorted set: fingerprints of quarantined raw records already reported (score = ms seen). */
    quarantined: (k: PollKey) => `${p}quar:${pollKeyId(k)}`,
    /** Reference data: hash per (tenant, company, kind). */
    reference: (tenant: string, company: string, kind: string) =>
      `${p}ref:${enc(tenant)}/${enc(company)}/${kind}`,
  };
}

export type SyncKeys = ReturnType<typeof syncKeys>;
