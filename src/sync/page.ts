import { type CanonicalRecord, parseRecord, recordKey } from "../infor/records.ts";
import type { ResolvedDeps } from "./deps.ts";
import { alertIdFor, contentVersionOf, detectChange, type StoredVersion } from "./detect.ts";
import { SyncError } from "./errors.ts";
import type { PollKey } from "./keys.ts";
import { guessRef, quarantineItem } from "./quarantine.ts";
import type { ChangeEvent, QuarantineItem } from "./sink.ts";
import type { NormalizedPage } from "./source.ts";
import type { PollCounts } from "./status.ts";
import { withSupplierNames } from "./supplier-names.ts";
import { commitVersions, loadVersions, saveVersions } from "./versions.ts";

/**
 * Validation results by item: a page announced to the sink's prefetch (`likelyChanged`) is
 * validated once, not again when it is processed (the items are the same objects).
 */
const parsedItems = new WeakMap<object, ReturnType<typeof parseRecord>>();

function parseOnce(item: unknown): ReturnType<typeof parseRecord> {
  if (typeof item !== "object" || item === null) return parseRecord(item);
  const known = parsedItems.get(item);
  if (known) return known;
  const parsed = parseRecord(item);
  parsedItems.set(item, parsed);
  return parsed;
}

export interface PageContext {
  key: PollKey;
  /** False while priming a first run: learn hashes, emit nothing. */
  emit: boolean;
  alerts: boolean;
  shadow: boolean;
  mode: "poll" | "backfill";
  counts: PollCounts;
  quarantine: QuarantineItem[];
}

export interface PageResult {
  /** Latest change date among the valid records of the page. */
  maxChangedAt?: string;
}

function scopeMismatch(key: PollKey, r: CanonicalRecord): string | undefined {
  if (r.entity !== key.entity) return `entity ${r.entity} read by the ${key.entity} poller`;
  if (r.tenant !== key.tenant || r.company !== key.company) {
    return `tenant/company ${r.tenant}/${r.company} read by the ${key.tenant}/${key.company} poller`;
  }
  if (key.division && r.division !== key.division) {
    return `division ${r.division} read by the division ${key.division} poller`;
  }
  return undefined;
}

/**
 * The records of a page that change detection will most likely hand to the sink: valid, in
 * scope and not unchanged against the saved (or staged) version. Read-only and not
 * authoritative (`processPage` decides): for `SyncSink.prefetch`, so reads for a page that
 * arrived early skip the records a re-read window brings back unchanged.
 */
export async function likelyChanged(
  deps: ResolvedDeps,
  key: PollKey,
  page: NormalizedPage,
): Promise<CanonicalRecord[]> {
  const valid = new Map<string, CanonicalRecord>();
  for (const item of page.items) {
    const parsed = parseOnce(item);
    if (parsed.ok && !scopeMismatch(key, parsed.record)) {
      valid.set(recordKey(parsed.record), parsed.record);
    }
  }
  const ids = [...valid.keys()];
  const previous = await loadVersions(deps.redis, deps.keys.versions(key), ids);
  const staged = await loadVersions(deps.redis, deps.keys.staged(key), ids);
  return [...valid].flatMap(([rk, record]) => {
    const d = detectChange(record, previous.get(rk), deps.volatileFields);
    const s = staged.get(rk);
    if (d.outcome === "unchanged" && (!s || s.hash === d.hash)) return [];
    return [record];
  });
}

/**
 * One page: validate → detect → hand alerts to the sink (durable) → save versions. The
 * watermark is not touched here: the poll moves it once every page is through, because M3 lists
 * come in key order, not change-date order.
 */
export async function processPage(
  deps: ResolvedDeps,
  ctx: PageContext,
  page: NormalizedPage,
): Promise<PageResult> {
  const { key, counts } = ctx;
  for (const rej of page.rejects) {
    ctx.quarantine.push(quarantineItem(rej.reason, rej.raw ?? rej.id ?? null, rej.id));
  }
  counts.read += page.items.length + page.rejects.length;
  counts.quarantined += page.rejects.length;

  // Last occurrence wins when a page repeats a record (paging over a changing table).
  const valid = new Map<string, CanonicalRecord>();
  for (const item of page.items) {
    const parsed = parseOnce(item);
    if (!parsed.ok) {
      ctx.quarantine.push(quarantineItem(parsed.reason, item, guessRef(item)));
      counts.quarantined++;
      continue;
    }
    const mismatch = scopeMismatch(key, parsed.record);
    if (mismatch) {
      ctx.quarantine.push(quarantineItem(mismatch, item, recordKey(parsed.record)));
      counts.quarantined++;
      continue;
    }
    valid.set(recordKey(parsed.record), parsed.record);
  }

  const result: PageResult = {};
  for (const r of valid.values()) {
    if (result.maxChangedAt === undefined || r.changedAt > result.maxChangedAt) {
      result.maxChangedAt = r.changedAt;
    }
  }
  if (deps.reference) await deps.reference.store([...valid.values()]);

  const versionsKey = deps.keys.versions(key);
  const stagedKey = deps.keys.staged(key);
  const previous = await loadVersions(deps.redis, versionsKey, [...valid.keys()]);
  const staged = await loadVersions(deps.redis, stagedKey, [...valid.keys()]);
  const toSave = new Map<string, StoredVersion>();
  const events: ChangeEvent[] = [];
  for (const [rk, record] of valid) {
    let d = detectChange(record, previous.get(rk), deps.volatileFields);
    // A staged version was handed to the sink by a poll that died before saving it. The same
    // content again: detect against the saved version, which yields the staged alert id, so
    // delivery dedupes it (or sends it, if the crash came before the sink stored it). Other
    // content: the staged version is what the channel was last told, so the change is its next
    // revision, not a second first version under a new id.
    const stagedVersion = staged.get(rk);
    if (stagedVersion && d.hash !== stagedVersion.hash) {
      d = detectChange(record, stagedVersion, deps.volatileFields);
    }
    if (d.outcome === "unchanged") {
      counts.unchanged++;
      continue;
    }
    toSave.set(rk, { hash: d.hash, rev: d.rev, snapshot: d.snapshot });
    if (!ctx.emit) {
      counts.primed++;
      continue;
    }
    counts[d.outcome]++;
    events.push({
      alertId: alertIdFor(rk, d.rev, d.hash),
      kind: d.outcome,
      recordKey: rk,
      rev: d.rev,
      contentVersion: contentVersionOf(d.rev, d.hash),
      record,
      changes: d.outcome === "updated" ? d.changes : [],
    });
  }

  if (ctx.emit && ctx.alerts && events.length > 0) {
    // Staged before the sink stores their alerts: a crash between the two leaves these to
    // compare a re-read with (see above), where the saved versions would be one step behind.
    const handed = new Map<string, StoredVersion>();
    for (const e of events) {
      const v = toSave.get(e.recordKey);
      if (v) handed.set(e.recordKey, v);
    }
    await saveVersions(deps.redis, stagedKey, handed, deps.keepSnapshots);
    // After change detection: a name learned later must not make the record look changed.
    if (deps.supplierNames) {
      const named = await withSupplierNames(
        events.map((e) => e.record),
        deps.supplierNames,
      );
      events.forEach((e, i) => {
        e.record = named[i] ?? e.record;
      });
    }
    if (deps.route) {
      for (const e of events) {
        e.route = await deps.route(e.record);
        if (e.route.fallback) counts.unrouted++;
      }
    }
    try {
      await deps.sink.deliver({ key, events, shadow: ctx.shadow, mode: ctx.mode });
    } catch (err) {
      throw new SyncError("sync_sink_failed", "storing the batch's alerts failed", err);
    }
    if (ctx.shadow) counts.shadow += events.length;
    await deps.hooks?.afterDeliver?.(key);
  }
  await commitVersions(deps.redis, versionsKey, stagedKey, toSave, deps.keepSnapshots);
  return result;
}
