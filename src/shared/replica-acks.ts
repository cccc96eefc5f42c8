import type { RedisClient } from "./redis-client.ts";

/**
 * How many replicas must hold a write before the app acts on it outside Redis (a Slack post).
 * Redis replicates asynchronously: a write the master acknowledged can vanish when a replica is
 * promoted (Sentinel or Cluster failover) before it arrived there. WAIT blocks until that many
 * replicas acknowledged every earlier write of this connection, or the timeout passes.
 */
export interface ReplicaAcks {
  replicas: number;
  timeoutMs: number;
}

export class ReplicaAckError extends Error {
  readonly code = "redis_replica_ack";
  constructor(acked: number, wanted: ReplicaAcks) {
    super(
      `${acked} of ${wanted.replicas} Redis replica(s) acknowledged the write within ${wanted.timeoutMs} ms`,
    );
    this.name = "ReplicaAckError";
  }
}

/**
 * WAIT on the connection (in a Cluster: the node) that holds `key`, after writes to it: a
 * pipeline goes to its keys' node, and WAIT counts that connection's writes. Throws
 * ReplicaAckError when fewer replicas answered, so the caller does not act on the write.
 */
export async function waitForReplicas(
  redis: RedisClient,
  key: string,
  acks: ReplicaAcks,
): Promise<void> {
  if (acks.replicas <= 0) return;
  const res = await redis.pipeline().exists(key).wait(acks.replicas, acks.timeoutMs).exec();
  const [err, acked] = res?.[1] ?? [new Error("no reply to WAIT"), 0];
  if (err) throw err;
  if (Number(acked) < acks.replicas) throw new ReplicaAckError(Number(acked), acks);
}
