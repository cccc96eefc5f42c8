import { DEFAULT_KEY_PREFIX } from "../shared/key-prefix.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type { ApprovalPolicy, PolicyDecision } from "./policy.ts";
import type { ApprovalSubject } from "./types.ts";

/** An approver's out-of-office: `delegate` decides for them from `from` until `until` (ISO UTC). */
export interface Delegation {
  approver: string;
  delegate: string;
  from: string;
  until: string;
}

export interface DelegationStore {
  set(d: Delegation): Promise<void>;
  clear(approver: string): Promise<void>;
  of(approver: string): Promise<Delegation | undefined>;
  /** Approvers whose delegation to `delegate` covers `at` (epoch ms). */
  principalsOf(delegate: string, at: number): Promise<Delegation[]>;
}

export function createDelegationStore(options: {
  redis: RedisClient;
  prefix?: string;
}): DelegationStore {
  const { redis } = options;
  const prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
  const byApprover = `${prefix}delegations`;
  const toKey = (delegate: string) => `${prefix}delegations:to:${delegate}`;
  const parse = (raw: string | null): Delegation | undefined =>
    raw === null ? undefined : (JSON.parse(raw) as Delegation);
  const store: DelegationStore = {
    async set(d) {
      const before = await store.of(d.approver);
      const m = redis.multi();
      if (before) m.srem(toKey(before.delegate), d.approver);
      await m
        .hset(byApprover, d.approver, JSON.stringify(d))
        .sadd(toKey(d.delegate), d.approver)
        .exec();
    },
    async clear(approver) {
      const before = await store.of(approver);
      const m = redis.multi().hdel(byApprover, approver);
      if (before) m.srem(toKey(before.delegate), approver);
      await m.exec();
    },
    async of(approver) {
      return parse(await redis.hget(byApprover, approver));
    },
    async principalsOf(delegate, at) {
      const approvers = await redis.smembers(toKey(delegate));
      if (approvers.length === 0) return [];
      const raws = await redis.hmget(byApprover, ...approvers);
      return raws
        .map(parse)
        .filter(
          (d): d is Delegation => d !== undefined && d.delegate === delegate && covers(d, at),
        );
    },
  };
  return store;
}

export function covers(d: Delegation, at: number): boolean {
  return Date.parse(d.from) <= at && at < Date.parse(d.until);
}

/**
 * The approver's bands lent to their delegate for the period. The delegate's own decision comes
 * first; a delegate never approves what they entered, nor what the approver entered (neither
 * could), and acts `onBehalfOf` the first approver whose bands cover the document.
 */
export function withDelegation(
  policy: ApprovalPolicy,
  delegations: DelegationStore,
  clock: () => number = Date.now,
): ApprovalPolicy {
  return {
    async authorize(user, subject: ApprovalSubject): Promise<PolicyDecision> {
      const own = await policy.authorize(user, subject);
      if (own.allowed) return own;
      if (subject.enteredBySlackId === user) return own;
      for (const d of await delegations.principalsOf(user, clock())) {
        if (subject.enteredBySlackId === d.approver) continue;
        const theirs = await policy.authorize(d.approver, subject);
        if (theirs.allowed) return { allowed: true, onBehalfOf: d.approver };
      }
      return own;
    },
  };
}
