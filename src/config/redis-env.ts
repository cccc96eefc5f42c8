import type { HostPort, RedisAuth, RedisTarget } from "../shared/redis-client.ts";
import type { ReplicaAcks } from "../shared/replica-acks.ts";

/** The variables that choose and reach Redis, documented with the rest of the environment. */
export const REDIS_ENV_DOC: Record<string, string> = {
  REDIS_URL:
    "single node: redis:// or rediss:// URL (may carry user and password); default redis://127.0.0.1:6379",
  REDIS_SENTINELS:
    "Sentinel: comma-separated host:port of the sentinels (port default 26379); with REDIS_SENTINEL_NAME",
  REDIS_SENTINEL_NAME: "Sentinel: the master group's name (sentinel monitor <name> …)",
  REDIS_SENTINEL_PASSWORD: "Sentinel: password of the sentinels themselves; optional",
  REDIS_CLUSTER_NODES:
    "Cluster: comma-separated host:port of some cluster nodes (port default 6379); the rest are discovered",
  REDIS_USERNAME: "Sentinel or Cluster: ACL user of the data nodes; optional",
  REDIS_PASSWORD: "Sentinel or Cluster: password of the data nodes (plain or enc:v1); optional",
  REDIS_TLS: "Sentinel or Cluster: true to connect with TLS; default false",
  REDIS_REPLICA_ACKS:
    "replicas that must hold a message's in-flight marker before it is sent (WAIT); default 1 with REDIS_SENTINELS or REDIS_CLUSTER_NODES, 0 for REDIS_URL; 0 for a Cluster without replicas",
  REDIS_REPLICA_TIMEOUT_MS:
    "how long to wait for those replicas before the send is retried later; default 500",
};

type Raw = (name: string) => string | undefined;
type Reveal = (name: string, value: string | undefined) => string | undefined;
type Problem = (variable: string, message: string) => void;

function hostPorts(
  variable: string,
  text: string,
  defaultPort: number,
  problem: Problem,
): HostPort[] {
  const out: HostPort[] = [];
  for (const item of text.split(",").map((s) => s.trim())) {
    if (item === "") continue;
    // host, host:port, [v6], [v6]:port; the item is a place, never a secret, so it may be echoed
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(item);
    const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
    const host = m?.[1] ?? m?.[2];
    if (!host || port < 1 || port > 65535) {
      problem(variable, `has "${item}": expected host:port[,host:port…]`);
      continue;
    }
    out.push({ host, port });
  }
  if (out.length === 0 && text.split(",").every((s) => s.trim() === "")) {
    problem(variable, "lists no host:port");
  }
  return out;
}

/**
 * The Redis the app connects to. Exactly one way is chosen: REDIS_CLUSTER_NODES, REDIS_SENTINELS
 * (with REDIS_SENTINEL_NAME), or REDIS_URL (the default). Values that only belong to another
 * mode are reported, not ignored: a forgotten REDIS_URL beside REDIS_CLUSTER_NODES would leave an
 * admin guessing which Redis the app writes to. Every password goes to `secrets` (log scrubbing).
 */
export function parseRedisTarget(
  raw: Raw,
  reveal: Reveal,
  problem: Problem,
  secrets: string[],
): RedisTarget {
  const urlText = reveal("REDIS_URL", raw("REDIS_URL"));
  const sentinelsText = raw("REDIS_SENTINELS");
  const clusterText = raw("REDIS_CLUSTER_NODES");
  const password = reveal("REDIS_PASSWORD", raw("REDIS_PASSWORD"));
  const sentinelPassword = reveal("REDIS_SENTINEL_PASSWORD", raw("REDIS_SENTINEL_PASSWORD"));
  for (const p of [password, sentinelPassword]) if (p) secrets.push(p);
  const url = urlText ?? "redis://127.0.0.1:6379";
  try {
    const parsed = new URL(url);
    if (parsed.password) secrets.push(decodeURIComponent(parsed.password), parsed.password);
  } catch {
    // reported by the URL check of the single mode below
  }

  if (sentinelsText && clusterText) {
    problem("REDIS_CLUSTER_NODES", "and REDIS_SENTINELS are both set: keep one");
  }
  const chosen = clusterText
    ? "REDIS_CLUSTER_NODES"
    : sentinelsText
      ? "REDIS_SENTINELS"
      : undefined;
  if (chosen && urlText !== undefined) {
    problem("REDIS_URL", `and ${chosen} are both set: keep one (${chosen} chooses the Redis)`);
  }

  const replicaAcks = parseReplicaAcks(raw, chosen !== undefined, problem);
  if (!chosen) {
    checkRedisUrl(url, problem);
    for (const name of [
      "REDIS_SENTINEL_NAME",
      "REDIS_SENTINEL_PASSWORD",
      "REDIS_USERNAME",
      "REDIS_PASSWORD",
      "REDIS_TLS",
    ]) {
      if (raw(name) !== undefined) {
        problem(
          name,
          "is only for REDIS_SENTINELS or REDIS_CLUSTER_NODES (a single node takes all from REDIS_URL)",
        );
      }
    }
    return { mode: "single", url, replicaAcks };
  }

  const tlsText = raw("REDIS_TLS")?.toLowerCase();
  if (tlsText !== undefined && !["true", "false"].includes(tlsText)) {
    problem("REDIS_TLS", "expected true or false");
  }
  const username = raw("REDIS_USERNAME");
  const auth: RedisAuth = {
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(tlsText === "true" ? { tls: true } : {}),
  };
  if (clusterText) {
    for (const name of ["REDIS_SENTINEL_NAME", "REDIS_SENTINEL_PASSWORD"]) {
      if (raw(name) !== undefined) problem(name, "is only for REDIS_SENTINELS");
    }
    return {
      mode: "cluster",
      nodes: hostPorts("REDIS_CLUSTER_NODES", clusterText, 6379, problem),
      auth,
      replicaAcks,
    };
  }
  const name = raw("REDIS_SENTINEL_NAME");
  if (name === undefined) {
    problem("REDIS_SENTINEL_NAME", "is missing: REDIS_SENTINELS needs the master group's name");
  }
  return {
    mode: "sentinel",
    sentinels: hostPorts("REDIS_SENTINELS", sentinelsText as string, 26379, problem),
    name: name ?? "",
    auth,
    ...(sentinelPassword !== undefined ? { sentinelPassword } : {}),
    replicaAcks,
  };
}

/**
 * Sentinel and Cluster exist to fail over, and a failover loses the writes the promoted replica
 * had not received yet: by default a send waits until one replica holds its in-flight marker
 * (the cautious choice; a Cluster run without replicas says REDIS_REPLICA_ACKS=0). A single node
 * has no replica to wait for unless the admin says so.
 */
function parseReplicaAcks(raw: Raw, failsOver: boolean, problem: Problem): ReplicaAcks {
  const count = (name: string, fallback: number, max: number): number => {
    const text = raw(name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n > max) {
      problem(name, `expected a whole number from 0 to ${max}`);
      return fallback;
    }
    return n;
  };
  return {
    replicas: count("REDIS_REPLICA_ACKS", failsOver ? 1 : 0, 16),
    timeoutMs: count("REDIS_REPLICA_TIMEOUT_MS", 500, 60_000),
  };
}

function checkRedisUrl(value: string, problem: Problem): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // never echo the value: it may carry a password
    problem("REDIS_URL", "is not a URL");
    return;
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    problem("REDIS_URL", "must use redis: or rediss:");
  }
}
