import type { CanonicalRecord } from "../infor/records.ts";
import type { FieldChange } from "./diff.ts";
import type { PollKey } from "./keys.ts";

/** Where a record goes, as the routing policy (src/rules) decides it. */
export interface RouteDecision {
  channel: string;
  /** True when no cost-center rule matched and the default channel was used ("unrouted"). */
  fallback: boolean;
  costCenter?: string;
  /** Why routing fell back, for people (see rules/routing.ts `Route.note`). */
  note?: string;
}

export type RouteFn = (record: CanonicalRecord) => RouteDecision | Promise<RouteDecision>;

/** One record that is new or changed: destination-neutral, rendering is the sink's job. */
export interface ChangeEvent {
  /** Stable: hash(record key, revision, content hash). Delivery dedupes on it. */
  alertId: string;
  kind: "new" | "updated";
  recordKey: string;
  /** Content revision: 1 when first seen, +1 per change. */
  rev: number;
  /** `rev:contentHash`: stable for this version of the record (hash of its canonical JSON). */
  contentVersion: string;
  record: CanonicalRecord;
  /** Fields that changed (empty for `new`, or when the previous version was not kept). */
  changes: FieldChange[];
  route?: RouteDecision;
}

export interface ChangeBatch {
  key: PollKey;
  events: ChangeEvent[];
  /** Shadow mode: audit and render what would be posted, post nothing. */
  shadow: boolean;
  /** `backfill` when an operator deliberately imports history. */
  mode: "poll" | "backfill";
}

export interface QuarantineItem {
  reason: string;
  /** Record key when the record got far enough to have one, else the source's row id. */
  ref?: string;
  /** Fingerprint of the raw row (stable across re-reads). */
  fingerprint: string;
  raw?: unknown;
}

export interface QuarantineBatch {
  key: PollKey;
  items: QuarantineItem[];
}

export type OpsNotice =
  | {
      kind: "poll_failing";
      key: PollKey;
      consecutiveFailures: number;
      errorCode: string;
      /** The failure in the source's own words (M3's message and field), when known. */
      errorMessage?: string;
      /** ISO timestamp of the first failure in this run of failures. */
      failingSince: string;
    }
  | {
      kind: "poll_recovered";
      key: PollKey;
      failures: number;
      failingSince: string;
      recoveredAt: string;
    };

/**
 * What the sync engine hands its output to. Each method must make its work durable before it
 * returns (audit first, then enqueue): the poller saves hashes and moves the watermark only
 * after it resolves. Calls may repeat after a crash; `deliver` must be idempotent by alert id.
 */
export interface SyncSink {
  deliver(batch: ChangeBatch): Promise<void>;
  /**
   * Optional hint: these records (new or changed, most likely) arrived and will be delivered
   * after the page being handled now; start the reads their delivery needs (e.g. their POs), so
   * those overlap the work on the page before. Must not throw or make anything durable;
   * `deliver` reads whatever the hint did not provide.
   */
  prefetch?(batch: { key: PollKey; records: readonly CanonicalRecord[] }): void;
  /** Audit each item with its reason and post one batched report to the ops channel. */
  quarantine(batch: QuarantineBatch): Promise<void>;
  ops(notice: OpsNotice): Promise<void>;
}
