import type { Logger } from "pino";
import { pino } from "pino";
import { DEFAULT_KEY_PREFIX } from "../../shared/key-prefix.ts";
import { InforError } from "../errors.ts";
import { type ColumnProbe, detectColumns, type TableAccess } from "./column-detect.ts";
import { buildQuery } from "./exportmi.ts";
import type { MiClient } from "./mi-client.ts";
import type { TableSpec } from "./tables.ts";

/** The part of a Redis client the catalog uses (ioredis fits as it is). */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ex: "EX", seconds: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/** In-process store for tests and one-shot CLI calls. */
export function memoryStore(now: () => number = Date.now): KeyValueStore {
  const map = new Map<string, { value: string; until: number }>();
  return {
    async get(key) {
      const hit = map.get(key);
      if (!hit || hit.until <= now()) return null;
      return hit.value;
    },
    async set(key, value, _ex, seconds) {
      map.set(key, { value, until: now() + seconds * 1000 });
      return "OK";
    },
    async del(key) {
      return map.delete(key) ? 1 : 0;
    },
  };
}

/** Column probes through EXPORTMI for one company (the session company EXPORTMI reads). */
export function exportMiProbe(mi: MiClient, company: string): ColumnProbe {
  return {
    async listFields(table) {
      const { records } = await mi.execute(
        "EXPORTMI",
        "LstFields",
        { FILE: table },
        { maxrecs: 0, company },
      );
      return records.map((r) => r.FLDN ?? "").filter(Boolean);
    },
    async select(table, columns) {
      await mi.execute(
        "EXPORTMI",
        "Select",
        { QERY: buildQuery({ table, columns, keys: [] }), SEPC: "|", HDRS: "0" },
        { maxrecs: 1, company },
      );
    },
  };
}

/** Something an operator should know about how a tenant is read; sent once per change. */
export interface SourceWarning {
  code: "m3_columns_dropped" | "m3_exportmi_refused";
  tenant: string;
  company: string;
  table: string;
  /** Dropped columns (full names), empty for a refusal. */
  columns: string[];
  message: string;
}

/** A required column the tenant lacks (or the account may not read): the entity cannot be read. */
export class M3ColumnsMissingError extends InforError {
  readonly table: string;
  readonly columns: string[];
  constructor(table: string, columns: string[], detail: string) {
    super(
      "m3_columns_missing",
      `M3 table ${table} lacks required ${columns.length === 1 ? "column" : "columns"} ` +
        `${columns.join(", ")} (not in the tenant, or the service account may not read ` +
        `${columns.length === 1 ? "it" : "them"}); ${detail}`,
    );
    this.table = table;
    this.columns = columns;
  }
}

/** EXPORTMI may not read the table and no MI list transaction stands in for it. */
export class M3TableRefusedError extends InforError {
  readonly table: string;
  constructor(table: string, reason: string) {
    super(
      "m3_table_refused",
      `EXPORTMI/Select on M3 table ${table} is refused for the service account (${reason}); ` +
        "grant it EXPORTMI/Select on this table (docs/m3-access.md)",
    );
    this.table = table;
  }
}

export interface ColumnCatalogOptions {
  probe: ColumnProbe;
  tenant: string;
  company: string;
  /** Redis (shared by replicas, so one detection serves all) or memoryStore(). */
  store?: KeyValueStore;
  keyPrefix?: string;
  /** How long a detection is trusted; a failed read re-detects sooner. Default 12 h. */
  ttlSeconds?: number;
  logger?: Logger;
  onWarning?: (warning: SourceWarning) => void;
}

/** A warning is sent again only when what it says changes, or after this long. */
const WARNED_TTL_SECONDS = 30 * 86_400;

/**
 * The columns each table offers to this service account, detected once per tenant, company and
 * table (column-detect.ts) and cached with a TTL. Optional columns the tenant lacks are dropped
 * with one warning naming them; a missing required column fails the read naming it.
 */
export class ColumnCatalog {
  private readonly o: ColumnCatalogOptions;
  private readonly store: KeyValueStore;
  private readonly prefix: string;
  private readonly ttl: number;
  private readonly log: Logger;
  private readonly inFlight = new Map<string, Promise<TableAccess>>();

  constructor(o: ColumnCatalogOptions) {
    this.o = o;
    this.store = o.store ?? memoryStore();
    this.prefix = `${o.keyPrefix ?? DEFAULT_KEY_PREFIX}m3cols:${o.tenant}:${o.company}:`;
    this.ttl = o.ttlSeconds ?? 12 * 3600;
    this.log = o.logger ?? pino({ level: "silent" });
  }

  /** The table's access for this account (cached; detected on a miss or a longer spec). */
  async access(spec: TableSpec): Promise<TableAccess> {
    const cached = await this.cached(spec);
    if (cached) return cached;
    const running = this.inFlight.get(spec.table);
    if (running) return running;
    const p = this.detect(spec).finally(() => this.inFlight.delete(spec.table));
    this.inFlight.set(spec.table, p);
    return p;
  }

  /** Columns to leave out of a Select; throws when a required one is missing. */
  async omitted(spec: TableSpec, purpose: string): Promise<ReadonlySet<string>> {
    const a = await this.access(spec);
    const required = a.kind === "refused" ? [] : a.missing.filter((c) => !spec.optional.has(c));
    if (a.kind === "refused" || required.length > 0) {
      // The read fails: forget the detection so the next poll sees a fix (a granted authority)
      // at once instead of after the TTL. The warning is not repeated.
      await this.invalidate(spec.table);
      if (a.kind === "refused") throw new M3TableRefusedError(spec.table, a.reason);
      throw new M3ColumnsMissingError(spec.table, required, purpose);
    }
    return new Set(a.missing);
  }

  /** Forget the table's detection (after a read failed), so the next read detects again. */
  async invalidate(table: string): Promise<void> {
    await this.store.del(this.prefix + table);
  }

  private async cached(spec: TableSpec): Promise<TableAccess | undefined> {
    const text = await this.store.get(this.prefix + spec.table);
    if (!text) return undefined;
    try {
      const a = JSON.parse(text) as TableAccess;
      // A spec that gained columns since (a new release) needs them checked too.
      return spec.columns.every((c) => a.checked.includes(c)) ? a : undefined;
    } catch {
      return undefined;
    }
  }

  private async detect(spec: TableSpec): Promise<TableAccess> {
    const a = await detectColumns(this.o.probe, spec);
    await this.store.set(this.prefix + spec.table, JSON.stringify(a), "EX", this.ttl);
    const ctx = { tenant: this.o.tenant, company: this.o.company, table: spec.table };
    this.log.info(
      { ...ctx, access: a.kind, ...(a.kind === "exportmi" ? { missing: a.missing } : {}) },
      "M3 table columns detected",
    );
    const optional = a.kind === "exportmi" ? a.missing.filter((c) => spec.optional.has(c)) : [];
    if (a.kind === "refused") {
      await this.warnOnce({
        ...ctx,
        code: "m3_exportmi_refused",
        columns: [],
        message:
          `EXPORTMI/Select on ${spec.table} is refused for the service account in company ` +
          `${this.o.company} (${a.reason}); a table with an MI list stand-in is read through ` +
          "it, any other read of it fails until EXPORTMI is granted (docs/m3-access.md)",
      });
    } else if (optional.length > 0) {
      await this.warnOnce({
        ...ctx,
        code: "m3_columns_dropped",
        columns: optional,
        message:
          `M3 table ${spec.table} in company ${this.o.company} does not offer optional ` +
          `${optional.length === 1 ? "column" : "columns"} ${optional.join(", ")}; ` +
          "reading without them (docs/m3-access.md)",
      });
    }
    return a;
  }

  private async warnOnce(w: SourceWarning): Promise<void> {
    const key = `${this.prefix}warned:${w.table}`;
    const signature = `${w.code}:${w.columns.join(",")}`;
    if ((await this.store.get(key)) === signature) return;
    await this.store.set(key, signature, "EX", WARNED_TTL_SECONDS);
    this.log.warn(
      { code: w.code, tenant: w.tenant, company: w.company, table: w.table, columns: w.columns },
      w.message,
    );
    this.o.onWarning?.(w);
  }
}
