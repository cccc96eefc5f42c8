import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import type { Entity } from "../../src/infor/records.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import type {
  ChangeBatch,
  ChangeEvent,
  OpsNotice,
  QuarantineBatch,
  SyncSink,
} from "../../src/sync/sink.ts";
import type { RecordSource, SourcePage } from "../../src/sync/source.ts";
import { connectTestRedis, testPrefix } from "../support/redis.ts";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export function connect(): RedisClient {
  return connectTestRedis();
}

export function uniquePrefix(file: string): string {
  return testPrefix(`test:${file}:${randomUUID().slice(0, 8)}`);
}

export async function cleanup(redis: RedisClient, prefix: string): Promise<void> {
  await deleteByPrefix(redis, prefix);
}

export interface FileRedis {
  /** The file's shared connection. */
  redis: RedisClient;
  /** The file's first prefix. */
  prefix: string;
  /** A further prefix (one per test, say), swept with the others after the file. */
  newPrefix(label?: string): string;
  /** A further connection (one per simulated process), quit after the file. */
  connection(): RedisClient;
}

/**
 * RedisClient for one test file (call at the top level): every prefix it hands out is swept and every
 * connection quit after the file, since BullMQ and ioredis leave connections they were given open.
 */
export function fileRedis(file: string): FileRedis {
  const connections: RedisClient[] = [];
  const prefixes: string[] = [];
  const connection = (): RedisClient => {
    const c = connect();
    connections.push(c);
    return c;
  };
  const newPrefix = (label = file): string => {
    const p = uniquePrefix(label);
    prefixes.push(p);
    return p;
  };
  const redis = connection();
  const prefix = newPrefix();
  afterAll(async () => {
    for (const p of prefixes) await cleanup(redis, p);
    for (const c of connections) await c.quit();
  });
  return { redis, prefix, newPrefix, connection };
}

/**
 * In-memory ERP: rows by id, each with a change date; `listChanged` returns rows changed on or
 * after the date in id order (as M3 lists come, by key, not by date), paged.
 */
export class FakeSource implements RecordSource {
  rows = new Map<string, Record<string, unknown>>();
  reads: { entity: Entity; since: string }[] = [];
  /** Errors to throw on the next reads, one per read. */
  failures: Error[] = [];
  /** Delay per page (ms), to make a poll slow. */
  pageDelayMs = 0;

  put(id: string, row: Record<string, unknown>): void {
    this.rows.set(id, row);
  }

  async *listChanged(
    entity: Entity,
    sinceDate: string,
    options: { pageSize: number },
  ): AsyncIterable<SourcePage> {
    this.reads.push({ entity, since: sinceDate });
    const failure = this.failures.shift();
    if (failure) throw failure;
    const ids = [...this.rows.keys()].sort();
    const matching = ids
      .map((id) => this.rows.get(id) as Record<string, unknown>)
      .filter((r) => r.entity === entity && String(r.changedAt) >= sinceDate);
    for (let i = 0; i < matching.length; i += options.pageSize) {
      if (this.pageDelayMs) await new Promise((r) => setTimeout(r, this.pageDelayMs));
      yield matching.slice(i, i + options.pageSize).map((r) => structuredClone(r));
    }
  }
}

/** A sink that keeps what it was given and dedupes by alert id, as delivery does. */
export class RecordingSink implements SyncSink {
  batches: ChangeBatch[] = [];
  delivered = new Map<string, ChangeEvent>();
  duplicates = 0;
  quarantines: QuarantineBatch[] = [];
  notices: OpsNotice[] = [];

  async deliver(batch: ChangeBatch): Promise<void> {
    this.batches.push(batch);
    for (const e of batch.events) {
      if (this.delivered.has(e.alertId)) this.duplicates++;
      else this.delivered.set(e.alertId, e);
    }
  }
  async quarantine(batch: QuarantineBatch): Promise<void> {
    this.quarantines.push(batch);
  }
  async ops(notice: OpsNotice): Promise<void> {
    this.notices.push(notice);
  }
  events(): ChangeEvent[] {
    return this.batches.flatMap((b) => b.events);
  }
}

export const scope = { tenant: "ACME_TST", company: "100", division: "AAA", source: "m3" } as const;

export function po(
  number: string,
  changedAt: string,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    entity: "purchase_order",
    ...scope,
    changedAt,
    number,
    supplierId: "S1",
    status: "Released",
    orderDate: "2026-11-01",
    currency: "EUR",
    total: { amount: "100.00", currency: "EUR" },
    costCenter: "CC10",
    lines: [
      {
        line: 10,
        orderedQty: "10",
        receivedQty: "0",
        unitPrice: { amount: "10.00", currency: "EUR" },
      },
    ],
    ...over,
  };
}

export function poSchedule(over: Record<string, unknown> = {}) {
  return {
    tenant: scope.tenant,
    company: scope.company,
    division: scope.division,
    entity: "purchase_order" as const,
    everyMs: 60_000,
    ...over,
  };
}

/** A clock the test moves by hand. */
export function manualClock(iso: string) {
  let now = new Date(iso);
  return {
    now: () => now,
    set(next: string) {
      now = new Date(next);
    },
  };
}
