import { Cluster, Redis } from "ioredis";
import type { ReplicaAcks } from "./replica-acks.ts";

/**
 * The one Redis client type every module takes: a single node (also what Sentinel gives: ioredis
 * asks the sentinels for the master and follows failovers) or a Redis Cluster. Both run the same
 * commands, scripts, MULTI and pipelines; in a Cluster every call's keys must share a slot, which
 * the key prefix's hash tag guarantees (see `clusterPrefixProblem`).
 */
export type RedisClient = Redis | Cluster;

export interface HostPort {
  host: string;
  port: number;
}

/** Credentials and TLS for the data nodes of a Sentinel or Cluster deployment. */
export interface RedisAuth {
  username?: string;
  password?: string;
  tls?: boolean;
}

/** Which Redis the app uses: from REDIS_URL, REDIS_SENTINELS + REDIS_SENTINEL_NAME or REDIS_CLUSTER_NODES. */
export type RedisTarget =
  | { mode: "single"; url: string; replicaAcks?: ReplicaAcks }
  | {
      mode: "sentinel";
      sentinels: HostPort[];
      /** The master group's name in the sentinels' configuration (`sentinel monitor <name> …`). */
      name: string;
      auth: RedisAuth;
      sentinelPassword?: string;
      replicaAcks?: ReplicaAcks;
    }
  | { mode: "cluster"; nodes: HostPort[]; auth: RedisAuth; replicaAcks?: ReplicaAcks };

/** Per-connection options the app sets, the same in every mode. */
export interface ClientOptions {
  connectionName?: string;
  /** BullMQ needs `null` on every connection it uses (toolchain notes). */
  maxRetriesPerRequest?: number | null;
  enableOfflineQueue?: boolean;
  /** Delay before each reconnect (ms). */
  retryStrategy?: (times: number) => number | null;
}

/** The options of one node connection that the app sets (a subset of ioredis' RedisOptions). */
interface NodeOptions {
  connectionName?: string;
  maxRetriesPerRequest?: number | null;
  enableOfflineQueue?: boolean;
  retryStrategy?: (times: number) => number | null;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
}

/** In a Cluster the offline queue and the reconnect delay are the cluster's, not each node's. */
function nodeOptions(o: ClientOptions, auth: RedisAuth, inCluster = false): NodeOptions {
  return {
    ...(o.connectionName !== undefined ? { connectionName: o.connectionName } : {}),
    ...(o.maxRetriesPerRequest !== undefined
      ? { maxRetriesPerRequest: o.maxRetriesPerRequest }
      : {}),
    ...(o.enableOfflineQueue !== undefined && !inCluster
      ? { enableOfflineQueue: o.enableOfflineQueue }
      : {}),
    ...(o.retryStrategy && !inCluster ? { retryStrategy: o.retryStrategy } : {}),
    ...(auth.username !== undefined ? { username: auth.username } : {}),
    ...(auth.password !== undefined ? { password: auth.password } : {}),
    ...(auth.tls ? { tls: {} } : {}),
  };
}

/** The one place a Redis client is built from the configured target. */
export function createRedisClient(target: RedisTarget, o: ClientOptions = {}): RedisClient {
  switch (target.mode) {
    case "single":
      return new Redis(target.url, nodeOptions(o, {}));
    case "sentinel":
      return releasingSentinels(
        new Redis({
          ...nodeOptions(o, target.auth),
          sentinels: target.sentinels,
          name: target.name,
          ...(target.sentinelPassword !== undefined
            ? { sentinelPassword: target.sentinelPassword }
            : {}),
          ...(target.auth.tls ? { enableTLSForSentinelMode: true } : {}),
          // The app writes: only the master will do (ioredis' default role, said for the reader).
          role: "master",
          // On a failover the sentinels publish +switch-master: reconnect then, not when the old
          // master is finally turned into a replica seconds later (its writes until then are lost
          // in the resync from the new master).
          failoverDetector: true,
          // A connection still on the demoted master gets READONLY: reconnect (the sentinels name
          // the new master) and send the command again (2), instead of failing the job.
          reconnectOnError: (err: Error) => (err.message.startsWith("READONLY") ? 2 : false),
        }),
      );
    case "cluster":
      return new Cluster(target.nodes, {
        redisOptions: nodeOptions(o, target.auth, true),
        ...(o.enableOfflineQueue !== undefined ? { enableOfflineQueue: o.enableOfflineQueue } : {}),
        ...(o.retryStrategy ? { clusterRetryStrategy: o.retryStrategy } : {}),
        // Reads go to masters too: a replica lags, and exactly-once checks read what was written.
        scaleReads: "master",
      });
  }
}

export function isRedisClient(x: unknown): x is RedisClient {
  return x instanceof Redis || x instanceof Cluster;
}

/** A second connection to the same Redis with some options changed (BullMQ workers want their own). */
export function duplicateClient(client: RedisClient, o: ClientOptions = {}): RedisClient {
  if (client instanceof Cluster) {
    // Cluster.duplicate merges its options one level deep: hand the whole node options over.
    // ioredis types its own stored options' replyMapping as possibly undefined, which
    // exactOptionalPropertyTypes refuses to hand back to it; the values are ioredis' own.
    const override = {
      redisOptions: { ...client.options.redisOptions, ...nodeOptions(o, {}, true) },
      ...(o.enableOfflineQueue !== undefined ? { enableOfflineQueue: o.enableOfflineQueue } : {}),
    } as Parameters<Cluster["duplicate"]>[1];
    return client.duplicate(undefined, override);
  }
  return releasingSentinels(client.duplicate(nodeOptions(o, {})));
}

/**
 * The failover detector's own connections to the sentinels outlive quit(): only disconnect()
 * closes them (ioredis 6), and a process whose clients all quit would not exit. Once the client
 * has ended, disconnect it too.
 */
function releasingSentinels(client: Redis): Redis {
  if (client.options.failoverDetector) client.once("end", () => client.disconnect());
  return client;
}

/**
 * Every key matching `pattern`, in batches: SCAN walks one node, so a Cluster is scanned master
 * by master (each holds only its own slots' keys). `node` is the connection that holds the batch,
 * for a pipeline over keys of several slots (a Cluster client refuses one across nodes).
 */
export async function scanKeys(
  client: RedisClient,
  pattern: string,
  onBatch: (keys: string[], node: Redis) => Promise<void>,
  count = 500,
): Promise<void> {
  // A Cluster knows its masters once it has read the slot map (until then nodes() is empty).
  if (client instanceof Cluster && client.status !== "ready") await client.ping();
  const nodes = client instanceof Cluster ? client.nodes("master") : [client];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", count);
      cursor = next;
      if (keys.length > 0) await onBatch(keys, node);
    } while (cursor !== "0");
  }
}

/** Where the target is, for logs and messages: hosts and ports only, never a password. */
export function describeTarget(target: RedisTarget): string {
  const list = (nodes: HostPort[]) => nodes.map((n) => `${n.host}:${n.port}`).join(",");
  switch (target.mode) {
    case "single": {
      try {
        const u = new URL(target.url);
        return `single ${u.hostname || "127.0.0.1"}:${u.port || "6379"}`;
      } catch {
        return "single (unparsable URL)";
      }
    }
    case "sentinel":
      return `sentinel ${target.name}@${list(target.sentinels)}`;
    case "cluster":
      return `cluster ${list(target.nodes)}`;
  }
}

/**
 * Redis Cluster runs a script or MULTI only when all its keys hash to one slot (CROSSSLOT
 * otherwise). Every key the app and BullMQ write starts with the key prefix, so a prefix that
 * carries a hash tag (`{cs}:`) puts each deployment's keys in one slot: the audit stream is
 * written in the same Lua step as a delivered marker or an approval transition, and the pending
 * set, stats and workspace pace are shared by every channel, so no finer tag would keep those
 * steps atomic. Returns why a prefix cannot be used in a Cluster, or undefined.
 */
export function clusterPrefixProblem(prefix: string): string | undefined {
  const open = prefix.indexOf("{");
  const close = open < 0 ? -1 : prefix.indexOf("}", open + 1);
  // Redis hashes the text between the first "{" and the next "}" when it is not empty.
  if (open < 0 || close < 0 || close === open + 1) {
    return 'must carry a hash tag in Cluster mode, e.g. "{cs}:" (all of a deployment\'s keys share one slot)';
  }
  return undefined;
}
