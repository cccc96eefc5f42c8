import pino, { type Logger } from "pino";
import { DEFAULT_KEY_PREFIX } from "../shared/key-prefix.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import { DEFAULT_VOLATILE_FIELDS } from "./canonical.ts";
import { type PollKey, type SyncKeys, syncKeys } from "./keys.ts";
import type { ReferenceCache } from "./reference.ts";
import type { RouteFn, SyncSink } from "./sink.ts";
import type { SourceFactory } from "./source.ts";
import type { SupplierNames } from "./supplier-names.ts";

/**
 * Counters the sync engine feeds, shaped like prom-client counters so `createMetrics()` from
 * src/ops fits as it is (`polls`, `records`).
 */
export interface SyncMetrics {
  polls: { inc(labels: { entity: string; outcome: "ok" | "error" | "skipped" }): void };
  records: {
    inc(
      labels: { entity: string; outcome: "new" | "changed" | "unchanged" | "quarantined" },
      value: number,
    ): void;
  };
}

/** Everything impure the sync engine uses, injected. */
export interface SyncDeps {
  redis: RedisClient;
  /** Key prefix for every sync key in Redis (tests pass a unique one). Default `cs:`. */
  prefix?: string;
  sourceFactory: SourceFactory;
  sink: SyncSink;
  /** Routing policy (src/rules): record → channel, with `fallback` for the default channel. */
  route?: RouteFn;
  /** When given, supplier and account records read by any poll are cached here. */
  reference?: ReferenceCache;
  /** Fills supplier names into alerts' records (the ERP's lists carry only the id). */
  supplierNames?: SupplierNames;
  clock?: () => Date;
  logger?: Logger;
  metrics?: SyncMetrics;
  /** Global shadow switch (or per key); a schedule's own `shadow: true` also counts. */
  shadow?: boolean | ((key: PollKey) => boolean);
  /**
   * Consecutive failed poll attempts of a key (retries included) before one ops alert. Default 5:
   * with the default retry policy (4 tries over ~35 s) a short gateway blip stays quiet and an
   * outage is reported at the next firing.
   */
  failureThreshold?: number;
  /** Poll lock TTL; renewed every third of it while the poll runs. Default 60 s. */
  lockTtlMs?: number;
  /** Keep compressed snapshots so `updated` alerts name the changed fields. Default true. */
  keepSnapshots?: boolean;
  volatileFields?: readonly string[];
  /** Test seams to simulate a crash between steps (throw from them). */
  hooks?: {
    afterDeliver?: (key: PollKey) => void | Promise<void>;
    beforeWatermark?: (key: PollKey) => void | Promise<void>;
  };
}

export interface ResolvedDeps extends SyncDeps {
  keys: SyncKeys;
  clock: () => Date;
  logger: Logger;
  failureThreshold: number;
  lockTtlMs: number;
  keepSnapshots: boolean;
  volatileFields: readonly string[];
}

export function resolveDeps(deps: SyncDeps): ResolvedDeps {
  return {
    ...deps,
    keys: syncKeys(deps.prefix ?? DEFAULT_KEY_PREFIX),
    clock: deps.clock ?? (() => new Date()),
    logger: deps.logger ?? pino({ level: "silent" }),
    failureThreshold: deps.failureThreshold ?? 5,
    lockTtlMs: deps.lockTtlMs ?? 60_000,
    keepSnapshots: deps.keepSnapshots ?? true,
    volatileFields: deps.volatileFields ?? DEFAULT_VOLATILE_FIELDS,
  };
}

export function isShadow(deps: SyncDeps, key: PollKey, scheduleShadow: boolean): boolean {
  if (scheduleShadow) return true;
  if (typeof deps.shadow === "function") return deps.shadow(key);
  return deps.shadow === true;
}
