import type { Alert } from "../alerts/alert.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import { PipelineError } from "./errors.ts";
import type { PipelineKeys } from "./keys.ts";
import { commitScript } from "./scripts.ts";
import type { InvoiceState, VersionedState } from "./types.ts";

/** An approval to close because its exception resolved by itself (the ERP moved on). */
export interface ApprovalClose {
  readonly approvalId: string;
  readonly reason: string;
}

/**
 * What one trigger (a record key at one content version) produced. Kept for a while so the same
 * trigger read again after a crash (the poller re-reads until its watermark moves) returns the
 * same alerts instead of nothing: delivery dedupes them by id.
 */
export interface Memo {
  readonly alerts: readonly Alert[];
  readonly closes: readonly ApprovalClose[];
}

export interface StateWrite {
  readonly invoiceKey: string;
  /** Revision read before evaluating; the write fails if it moved. */
  readonly expectedRev: number;
  /** Next state; undefined deletes it (nothing open and nothing worth remembering). */
  readonly next: InvoiceState | undefined;
  /** Dependency tokens the stored state was registered under. */
  readonly previousDeps: readonly string[];
}

export interface StateStoreOptions {
  readonly redis: RedisClient;
  readonly keys: PipelineKeys;
  /** Invoice states expire when untouched this long (refreshed on every write). */
  readonly stateTtlMs: number;
  readonly memoTtlMs: number;
}

export interface StateStore {
  load(invoiceKey: string): Promise<VersionedState>;
  dependents(token: string): Promise<string[]>;
  /** Drops an invoice whose state expired from a dependents set. */
  forget(token: string, invoiceKey: string): Promise<void>;
  /** Up to `count` random members of a dependents set. */
  sampleDependents(token: string, count: number): Promise<string[]>;
  getMemo(id: string): Promise<Memo | undefined>;
  /** All or nothing; false when another evaluation changed one of the states first. */
  commit(memoId: string, memo: Memo | undefined, writes: readonly StateWrite[]): Promise<boolean>;
}

export function createStateStore(o: StateStoreOptions): StateStore {
  const { redis, keys } = o;
  return {
    async load(invoiceKey) {
      const [rev, data] = await redis.hmget(keys.invoice(invoiceKey), "rev", "data");
      return stateFrom(invoiceKey, rev ?? undefined, data ?? undefined);
    },

    async dependents(token) {
      return (await redis.smembers(keys.dependents(token))).sort();
    },

    async forget(token, invoiceKey) {
      await redis.srem(keys.dependents(token), invoiceKey);
    },

    async sampleDependents(token, count) {
      return (await redis.srandmember(keys.dependents(token), count)).sort();
    },

    async getMemo(id) {
      return memoFrom(id, (await redis.get(keys.memo(id))) ?? undefined);
    },

    async commit(memoId, memo, writes) {
      const stateKeys = writes.map((w) => keys.invoice(w.invoiceKey));
      const stateArgs = writes.flatMap((w) => [
        String(w.expectedRev),
        w.next ? JSON.stringify(w.next) : "",
      ]);
      const depKeys: string[] = [];
      const depOps: string[] = [];
      for (const w of writes) {
        const next = new Set(w.next?.deps ?? []);
        for (const token of next) {
          depKeys.push(keys.dependents(token));
          depOps.push(`+${w.invoiceKey}`);
        }
        for (const token of w.previousDeps) {
          if (next.has(token)) continue;
          depKeys.push(keys.dependents(token));
          depOps.push(`-${w.invoiceKey}`);
        }
      }
      return commitScript.run(redis, {
        keys: { memo: keys.memo(memoId) },
        args: {
          memo: memo ? JSON.stringify(memo) : "",
          memoTtlMs: o.memoTtlMs,
          stateTtlMs: o.stateTtlMs,
          states: writes.length,
        },
        tail: { keys: [...stateKeys, ...depKeys], args: [...stateArgs, depOps.length, ...depOps] },
      });
    },
  };
}

/** An invoice's state as `load` reads it (hash fields rev and data). */
export function stateFrom(
  invoiceKey: string,
  rev: string | undefined,
  data: string | undefined,
): VersionedState {
  if (!rev || !data) return { rev: 0, state: undefined };
  return { rev: Number(rev), state: parseJson<InvoiceState>(data, invoiceKey) };
}

/** A memo as `getMemo` reads it. */
export function memoFrom(id: string, data: string | undefined): Memo | undefined {
  return data ? parseJson<Memo>(data, id) : undefined;
}

function parseJson<T>(data: string, what: string): T {
  try {
    return JSON.parse(data) as T;
  } catch (err) {
    throw new PipelineError("state_corrupt", `stored pipeline state of ${what} is not JSON`, {
      cause: err,
    });
  }
}
