import type { PreparedAuditEntry } from "../audit/log.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import { type ReplicaAcks, waitForReplicas } from "../shared/replica-acks.ts";
import type { DeliveryKeys } from "./keys.ts";
import { markDeliveredScript } from "./scripts.ts";

export interface InflightMarker {
  channel: string;
  since: number;
  mode: "post" | "update";
  threadTs?: string;
  /** epoch ms: set when the attempt failed ambiguously, the earliest a look-up is conclusive */
  lookAfter?: number;
}

export interface DeliveredMarker {
  channel: string;
  ts: string;
  at: string;
  how: string;
}

/** What markDelivered records. */
export interface MarkInput {
  alertId: string;
  channel: string;
  subject: string;
  ts: string;
  at: string;
  how: "post" | "update" | "resolved";
  setSubject: boolean;
  parentTs: string;
  /** Stats field counting this outcome ("posted", "updated", "ambiguous_found"). */
  stat: string;
  /** The entry that says so (post.result / post.resolved), from AuditLog.prepare. */
  audit: PreparedAuditEntry;
}

/** Delivered / in-flight / subject markers: the state that makes posting exactly once. */
export class Markers {
  readonly #redis: RedisClient;
  readonly #keys: DeliveryKeys;
  readonly #ttlMs: number;
  readonly #replicaAcks: ReplicaAcks;

  constructor(
    redis: RedisClient,
    keys: DeliveryKeys,
    ttlMs: number,
    replicaAcks: ReplicaAcks = { replicas: 0, timeoutMs: 0 },
  ) {
    this.#redis = redis;
    this.#keys = keys;
    this.#ttlMs = ttlMs;
    this.#replicaAcks = replicaAcks;
  }

  /** One round trip for what a job checks first: delivered, rolled into a digest, in flight, subject message. */
  async snapshot(alertId: string, channel: string, subject: string) {
    const k = this.#keys;
    const res =
      (await this.#redis
        .multi()
        .hgetall(k.delivered(alertId))
        .get(k.digested(alertId))
        .hgetall(k.inflight(alertId))
        .hget(k.subject(channel, subject), "ts")
        .exec()) ?? [];
    const delivered = res[0]?.[1] as Record<string, string> | undefined;
    const inflight = res[2]?.[1] as Record<string, string> | undefined;
    return {
      delivered:
        delivered?.ts && delivered.channel
          ? {
              channel: delivered.channel,
              ts: delivered.ts,
              at: delivered.at ?? "",
              how: delivered.how ?? "post",
            }
          : undefined,
      digestId: (res[1]?.[1] as string | null) ?? undefined,
      inflight: inflight?.channel && inflight.since ? toInflight(inflight) : undefined,
      subjectTs: (res[3]?.[1] as string | null) ?? undefined,
    };
  }

  async delivered(alertId: string): Promise<DeliveredMarker | undefined> {
    const h = await this.#redis.hgetall(this.#keys.delivered(alertId));
    if (!h.ts || !h.channel) return undefined;
    return { channel: h.channel, ts: h.ts, at: h.at ?? "", how: h.how ?? "post" };
  }

  async inflight(alertId: string): Promise<InflightMarker | undefined> {
    const h = await this.#redis.hgetall(this.#keys.inflight(alertId));
    if (!h.channel || !h.since) return undefined;
    const m: InflightMarker = {
      channel: h.channel,
      since: Number(h.since),
      mode: h.mode === "update" ? "update" : "post",
    };
    if (h.threadTs) m.threadTs = h.threadTs;
    if (h.lookAfter) m.lookAfter = Number(h.lookAfter);
    return m;
  }

  /**
   * Written before each send: if the outcome is lost, the next attempt checks history first.
   * With replicas to wait for, the marker is on them before this returns (or it throws and
   * nothing is sent): a failover that loses the post's later writes (delivered marker, job
   * completion) still finds the marker and looks in the channel instead of posting again.
   */
  async setInflight(alertId: string, m: InflightMarker): Promise<void> {
    const key = this.#keys.inflight(alertId);
    const fields: string[] = ["channel", m.channel, "since", String(m.since), "mode", m.mode];
    if (m.threadTs) fields.push("threadTs", m.threadTs);
    await this.#redis
      .multi()
      .del(key)
      .hset(key, ...fields)
      .pexpire(key, this.#ttlMs)
      .exec();
    await this.confirmInflight(alertId);
  }

  /**
   * The in-flight marker just written (setInflight, or the pacer's claimPost) is on the replicas
   * to wait for, or it is gone and this throws: nothing may be sent on a marker a failover could
   * lose.
   */
  async confirmInflight(alertId: string): Promise<void> {
    if (this.#replicaAcks.replicas <= 0) return;
    const key = this.#keys.inflight(alertId);
    try {
      await waitForReplicas(this.#redis, key, this.#replicaAcks);
    } catch (err) {
      // Nothing was sent: a marker left behind would make the next attempt wait out a send
      // that never was (request timeout + grace, over a minute) before it looks and posts.
      await this.#redis.del(key).catch(() => {});
      throw err;
    }
  }

  /** True when an in-flight marker must reach replicas before its send (confirmInflight). */
  get waitsForReplicas(): boolean {
    return this.#replicaAcks.replicas > 0;
  }

  /** How long a marker is kept (the in-flight marker a claim writes gets the same expiry). */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** The attempt failed ambiguously: a look-up for it is conclusive from `lookAfter` on. */
  async settleInflight(alertId: string, lookAfter: number): Promise<void> {
    const key = this.#keys.inflight(alertId);
    // Only the job that set the marker settles it, and nothing clears it in between: the key
    // exists. The expiry is set again so a marker can never be left without one.
    await this.#redis
      .multi()
      .hset(key, "lookAfter", String(lookAfter))
      .pexpire(key, this.#ttlMs)
      .exec();
  }

  async clearInflight(alertId: string): Promise<void> {
    await this.#redis.del(this.#keys.inflight(alertId));
  }

  /** The message a subject (record / exception) already has in a channel. */
  async subjectTs(channel: string, subject: string): Promise<string | undefined> {
    return (await this.#redis.hget(this.#keys.subject(channel, subject), "ts")) ?? undefined;
  }

  async clearSubject(channel: string, subject: string): Promise<void> {
    await this.#redis.del(this.#keys.subject(channel, subject));
  }

  /**
   * Atomically (mark-delivered.lua): delivered marker, subject marker, `stat` counted, the audit
   * entry written, in-flight marker and queue entry cleared.
   */
  async markDelivered(input: MarkInput): Promise<boolean> {
    return markDeliveredScript.run(this.#redis, {
      keys: markKeys(this.#keys, input),
      args: markArgs(input, this.#ttlMs),
      tail: input.audit,
    });
  }
}

/** The keys of a line exit's marking step (mark-delivered.lua, and exit-post.lua's first part). */
export function markKeys(k: DeliveryKeys, input: MarkInput) {
  return {
    delivered: k.delivered(input.alertId),
    inflight: k.inflight(input.alertId),
    subject: k.subject(input.channel, input.subject),
    order: k.order(input.channel),
    pending: k.pending,
    stats: k.stats,
  };
}

/** The arguments of the same step. */
export function markArgs(input: MarkInput, ttlMs: number) {
  return {
    channel: input.channel,
    ts: input.ts,
    at: input.at,
    alertId: input.alertId,
    setSubject: input.setSubject ? "1" : "0",
    parentTs: input.parentTs,
    how: input.how,
    ttlMs,
    stat: input.stat,
  };
}

function toInflight(h: Record<string, string>): InflightMarker {
  const m: InflightMarker = {
    channel: h.channel ?? "",
    since: Number(h.since),
    mode: h.mode === "update" ? "update" : "post",
  };
  if (h.threadTs) m.threadTs = h.threadTs;
  if (h.lookAfter) m.lookAfter = Number(h.lookAfter);
  return m;
}
