import type { Entity } from "../infor/records.ts";
import type { RecordTarget } from "../infor/source.ts";

/**
 * What the sync engine needs from the Infor client: records of one entity changed on or after a
 * date, page by page. The client's source facade (`createM3Source`, SyteLine's) satisfies it;
 * tests use an in-memory fake.
 */
export interface RecordSource {
  /** Whether `listChanged` can serve this entity for this ERP (absent: assume it can). */
  supports?(entity: Entity): boolean;
  listChanged(
    entity: Entity,
    sinceDate: string,
    options: { pageSize: number; signal?: AbortSignal },
  ): AsyncIterable<SourcePage>;
  /** The one record an ERP event names, mapped as `listChanged` maps it (push reads). */
  readTarget?(target: RecordTarget): Promise<SourcePage>;
}

/** A record the client could not map (bad number, missing key field), kept for quarantine. */
export interface SourceReject {
  reason: string;
  raw?: unknown;
  /** Whatever identifies the row, if the mapper got that far (e.g. PO number). */
  id?: string;
}

/**
 * A page is either the mapped records (validated here with `parseRecord`), or records plus the
 * rows the mapper rejected. An item shaped `{ ok: false, reason }` is read as a reject too, and
 * `{ ok: true, record }` as a record, so a client may hand over `ParseResult`s as they are.
 */
export type SourcePage =
  | readonly unknown[]
  | { records: readonly unknown[]; rejects?: readonly SourceReject[] };

export interface PollScope {
  tenant: string;
  company: string;
  division: string;
}

/** Builds (or returns a cached) source for a tenant / company / division. */
export type SourceFactory = (scope: PollScope) => RecordSource | Promise<RecordSource>;

export interface NormalizedPage {
  items: unknown[];
  rejects: SourceReject[];
}

function asReject(item: unknown): SourceReject | undefined {
  if (typeof item !== "object" || item === null || !("ok" in item)) return undefined;
  const r = item as { ok: unknown; reason?: unknown; raw?: unknown; id?: unknown };
  if (r.ok !== false) return undefined;
  const reject: SourceReject = { reason: typeof r.reason === "string" ? r.reason : "rejected" };
  if (r.raw !== undefined) reject.raw = r.raw;
  if (typeof r.id === "string") reject.id = r.id;
  return reject;
}

function unwrap(item: unknown): unknown {
  if (typeof item === "object" && item !== null && "ok" in item && "record" in item) {
    const r = item as { ok: unknown; record: unknown };
    if (r.ok === true) return r.record;
  }
  return item;
}

export function normalizePage(page: SourcePage): NormalizedPage {
  const list: readonly unknown[] = Array.isArray(page)
    ? page
    : (page as { records: readonly unknown[] }).records;
  const rejects: SourceReject[] = Array.isArray(page)
    ? []
    : [...((page as { rejects?: readonly SourceReject[] }).rejects ?? [])];
  const items: unknown[] = [];
  for (const item of list) {
    const reject = asReject(item);
    if (reject) rejects.push(reject);
    else items.push(unwrap(item));
  }
  return { items, rejects };
}
