import { type Canonical, canonicalize, DEFAULT_VOLATILE_FIELDS, sha256 } from "./canonical.ts";
import { diffSnapshots, type FieldChange } from "./diff.ts";

/** What the hash store keeps per record key: enough to dedupe and to name changed fields. */
export interface StoredVersion {
  hash: string;
  /** Content revision: 1 for the first version seen, +1 per change. Part of the alert id. */
  rev: number;
  /** Canonical content of that version (absent when the store was primed without snapshots). */
  snapshot?: Canonical;
}

export type Detection =
  | { outcome: "new"; hash: string; rev: number; snapshot: Canonical }
  | {
      outcome: "updated";
      hash: string;
      rev: number;
      snapshot: Canonical;
      /** Empty when the previous snapshot was not kept (the fields are then unknown). */
      changes: FieldChange[];
    }
  | { outcome: "unchanged"; hash: string; rev: number };

export type Outcome = Detection["outcome"];

/**
 * Compare a record with the version last stored for its key. Pure: the caller loads `previous`
 * and saves the result, so the same read always yields the same answer (and the same alert id).
 */
export function detectChange(
  record: unknown,
  previous: StoredVersion | undefined,
  volatile: readonly string[] = DEFAULT_VOLATILE_FIELDS,
): Detection {
  const snapshot = canonicalize(record, volatile);
  const hash = sha256(JSON.stringify(snapshot));
  if (!previous) return { outcome: "new", hash, rev: 1, snapshot };
  if (previous.hash === hash) return { outcome: "unchanged", hash, rev: previous.rev };
  const changes = previous.snapshot === undefined ? [] : diffSnapshots(previous.snapshot, snapshot);
  return { outcome: "updated", hash, rev: previous.rev + 1, snapshot, changes };
}

/**
 * Alert id = hash(record key, content revision, content hash). The record key already holds
 * tenant and entity (`entity:tenant:company:division:id`). Re-reading the same version after a
 * restart gives the same id, so delivery dedupes it; the revision keeps A → B → A distinct.
 */
/** Content version as alerts carry it: revision and content hash, e.g. `3:9f2c…`. */
export function contentVersionOf(rev: number, hash: string): string {
  return `${rev}:${hash}`;
}

export function alertIdFor(recordKey: string, rev: number, hash: string): string {
  return sha256(`${recordKey}\n${rev}\n${hash}`).slice(0, 32);
}
