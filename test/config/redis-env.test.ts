import { describe, expect, it } from "vitest";
import { formatEnvProblems, loadEnv } from "../../src/config/env.ts";
import { encryptSecret, generateKey, parseKeyRing } from "../../src/security/envelope.ts";
import { clusterPrefixProblem, describeTarget } from "../../src/shared/redis-client.ts";

const base = {
  SLACK_BOT_TOKEN: "xoxb-1111-2222-abcdefabcdef",
  SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99aaaaaa85a5",
  IONAPI_JSON: JSON.stringify({
    ti: "ACME_TST",
    cn: "cloudsuite-slack",
    ci: "ACME_TST~client",
    cs: "client-secret-value-xyz",
    iu: "https://mingle-ionapi.eu1.inforcloudsuite.com",
    pu: "https://mingle-sso.eu1.inforcloudsuite.com:443/ACME_TST/as/",
    oa: "authorization.oauth2",
    ot: "token.oauth2",
    or: "revoke_token.oauth2",
    saak: "ACME_TST#service-access-key",
    sask: "service-secret-key-value",
  }),
};

function problemsOf(extra: Record<string, string>) {
  const r = loadEnv({ ...base, ...extra });
  return r.ok ? [] : r.problems;
}

describe("REDIS_* variables choose single node, Sentinel or Cluster", () => {
  it("takes REDIS_URL as a single node and hands its password to the log scrubber", () => {
    const r = loadEnv({ ...base, REDIS_URL: "redis://app:s3cr%40t-pass@10.0.0.5:6380/2" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env.redis).toEqual({
      mode: "single",
      url: "redis://app:s3cr%40t-pass@10.0.0.5:6380/2",
      // a single node has no replica to wait for
      replicaAcks: { replicas: 0, timeoutMs: 500 },
    });
    expect(r.secrets).toContain("s3cr@t-pass");
    expect(describeTarget(r.env.redis)).toBe("single 10.0.0.5:6380");
    expect(r.env.redisPrefix).toBe("cs:");
  });

  it("reads sentinels, the master name and an encrypted password; keeps the default prefix", () => {
    const key = `k1:${generateKey()}`;
    const ring = parseKeyRing(key);
    const r = loadEnv({
      ...base,
      ENCRYPTION_KEYS: key,
      REDIS_SENTINELS: "10.0.0.1:26379, 10.0.0.2, [::1]:26380",
      REDIS_SENTINEL_NAME: "cs-master",
      REDIS_PASSWORD: encryptSecret("data-node-pass", ring),
      REDIS_SENTINEL_PASSWORD: "sentinel-pass",
      REDIS_TLS: "true",
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env.redis).toEqual({
      mode: "sentinel",
      sentinels: [
        { host: "10.0.0.1", port: 26379 },
        { host: "10.0.0.2", port: 26379 },
        { host: "::1", port: 26380 },
      ],
      name: "cs-master",
      auth: { password: "data-node-pass", tls: true },
      sentinelPassword: "sentinel-pass",
      // a failover loses what the promoted replica had not received: wait for one by default
      replicaAcks: { replicas: 1, timeoutMs: 500 },
    });
    expect(r.secrets).toEqual(expect.arrayContaining(["data-node-pass", "sentinel-pass"]));
    expect(r.env.redisPrefix).toBe("cs:");
    expect(describeTarget(r.env.redis)).toBe(
      "sentinel cs-master@10.0.0.1:26379,10.0.0.2:26379,::1:26380",
    );
  });

  it("reads cluster seed nodes and defaults the prefix to a hash tag", () => {
    const r = loadEnv({ ...base, REDIS_CLUSTER_NODES: "127.0.0.1:7001,127.0.0.1:7002" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env.redis).toEqual({
      mode: "cluster",
      nodes: [
        { host: "127.0.0.1", port: 7001 },
        { host: "127.0.0.1", port: 7002 },
      ],
      auth: {},
      replicaAcks: { replicas: 1, timeoutMs: 500 },
    });
    expect(r.env.redisPrefix).toBe("{cs}:");
    const noReplicas = loadEnv({ ...base, REDIS_CLUSTER_NODES: "h:7001", REDIS_REPLICA_ACKS: "0" });
    expect(noReplicas.ok && noReplicas.env.redis.replicaAcks).toEqual({
      replicas: 0,
      timeoutMs: 500,
    });
    expect(problemsOf({ REDIS_REPLICA_ACKS: "one", REDIS_REPLICA_TIMEOUT_MS: "-5" })).toEqual([
      { variable: "REDIS_REPLICA_ACKS", message: "expected a whole number from 0 to 16" },
      { variable: "REDIS_REPLICA_TIMEOUT_MS", message: "expected a whole number from 0 to 60000" },
    ]);
  });

  it("refuses a Cluster prefix without a hash tag, naming REDIS_PREFIX", () => {
    const problems = problemsOf({ REDIS_CLUSTER_NODES: "127.0.0.1:7001", REDIS_PREFIX: "cs:" });
    expect(problems).toEqual([
      { variable: "REDIS_PREFIX", message: expect.stringContaining("hash tag") },
    ]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: "h:7001", REDIS_PREFIX: "acme:{}:" })).toHaveLength(1);
    expect(problemsOf({ REDIS_CLUSTER_NODES: "h:7001", REDIS_PREFIX: "acme:{prod}:" })).toEqual([]);
    expect(clusterPrefixProblem("{cs}:")).toBeUndefined();
    expect(clusterPrefixProblem("cs:{")).toBeDefined();
  });

  it("names each variable that is wrong or belongs to another mode, never echoing a password", () => {
    const problems = problemsOf({
      REDIS_URL: "redis://:hunter2-secret@10.0.0.5:6379",
      REDIS_CLUSTER_NODES: "10.0.0.1:7001,not a host",
      REDIS_SENTINELS: "10.0.0.9",
      REDIS_SENTINEL_NAME: "m",
      REDIS_TLS: "yes",
    });
    expect(problems.map((p) => p.variable).sort()).toEqual([
      "REDIS_CLUSTER_NODES",
      "REDIS_CLUSTER_NODES",
      "REDIS_SENTINEL_NAME",
      "REDIS_TLS",
      "REDIS_URL",
    ]);
    expect(formatEnvProblems(problems)).not.toContain("hunter2");

    expect(problemsOf({ REDIS_SENTINELS: "10.0.0.9:26379" })).toEqual([
      { variable: "REDIS_SENTINEL_NAME", message: expect.stringContaining("is missing") },
    ]);
    expect(problemsOf({ REDIS_PASSWORD: "p" }).map((p) => p.variable)).toEqual(["REDIS_PASSWORD"]);
    const bad = problemsOf({ REDIS_URL: "http://:hunter2-secret@h:1" });
    expect(bad).toEqual([{ variable: "REDIS_URL", message: "must use redis: or rediss:" }]);
  });
});
