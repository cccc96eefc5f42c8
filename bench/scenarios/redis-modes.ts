import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import {
  createRedisClient,
  type RedisClient,
  type RedisTarget,
} from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { loadChannel, paymentAlert, startEmu, waitFor } from "../../test/delivery/emu.ts";
import { startProcess, stopWorkerProcess } from "../../test/delivery/procs.ts";
import type { BenchMetric, Scenario } from "../types.ts";

/**
 * The same delivery workload (3 worker processes, 10 channels) against a single node, a local
 * Redis Cluster (3 masters + 3 replicas) and a Sentinel set whose master is failed over when a
 * third is posted. Per mode: alerts expected, distinct alert ids posted (message metadata), lost
 * and duplicated; for the Cluster also how many masters hold the deployment's keys (one: the
 * prefix's hash tag, shared/redis-client.ts) and Redis commands per alert on them, which says how
 * far one shard is from its limits at Slack's pace. The topologies come from
 * scripts/redis-topology.sh (its default ports) and are stopped at the end.
 */
const CHANNELS = 10;
const WORKERS = 3;
const TIME_SCALE = 20;
const TOPOLOGY = fileURLToPath(new URL("../../scripts/redis-topology.sh", import.meta.url));
const WORKER = fileURLToPath(new URL("../../test/delivery/fixtures/worker.ts", import.meta.url));

function topology(action: "start" | "stop", mode: "cluster" | "sentinel"): Record<string, string> {
  const out = execFileSync(TOPOLOGY, [action, mode], { encoding: "utf8" });
  return Object.fromEntries(
    out
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

function hostPorts(text: string) {
  return text.split(",").map((hp) => ({ host: "127.0.0.1", port: Number(hp.split(":")[1]) }));
}

interface ModeRun {
  expected: number;
  distinct: number;
  messages: number;
  mastersWithKeys?: number;
  keysOutsideTag?: number;
  commandsPerAlert?: number;
  failedOver?: boolean;
  stats?: string;
}

async function masterCommands(ports: number[]): Promise<number> {
  let total = 0;
  for (const port of ports) {
    const r = new Redis({ port, lazyConnect: true });
    await r.connect();
    total += Number(/total_commands_processed:(\d+)/.exec(await r.info("stats"))?.[1] ?? 0);
    r.disconnect();
  }
  return total;
}

async function run(
  mode: string,
  target: RedisTarget,
  childEnv: Record<string, string>,
  total: number,
  hooks: { afterThird?: () => Promise<boolean>; masters?: number[] } = {},
): Promise<ModeRun> {
  const emu = await startEmu(TIME_SCALE, CHANNELS);
  const unique = `bench:redis-modes:${mode}:${Date.now()}`;
  const prefix = target.mode === "cluster" ? `{${unique}}:` : `${unique}:`;
  const redis: RedisClient = createRedisClient(target, { maxRetriesPerRequest: null });
  // The delivery defaults otherwise (6 attempts, 2 s back-off doubling): a failover's errors are
  // retried as in production. With a 50 ms back-off (the tests' setting) the attempts ran out
  // inside the failover and 10 of 120 alerts went to the dead letter (replayable, not lost).
  const config = {
    timeScale: TIME_SCALE,
    digests: { enabled: false },
    lockDurationMs: 1000,
    stalledIntervalMs: 300,
  };
  const producer = createSlackDelivery({
    connection: redis,
    prefix,
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    config,
  });
  const alerts = Array.from({ length: total }, (_, i) =>
    paymentAlert(50_000 + i, loadChannel(i % CHANNELS)),
  );
  const channels = Array.from({ length: CHANNELS }, (_, c) => loadChannel(c));
  const messages = () => channels.flatMap((ch) => emu.inspect.messages(ch));
  const workers = [];
  try {
    for (const a of alerts) await producer.enqueue(a);
    const before = hooks.masters ? await masterCommands(hooks.masters) : 0;
    // started together, with time to spare: on a loaded machine `npx node` alone takes seconds
    const workerEnv = {
      ...childEnv,
      DLV_PREFIX: prefix,
      SLACK_URL: emu.url,
      SLACK_TOKEN: emu.botToken,
      DLV_CONCURRENCY: "4",
      DLV_CONFIG: JSON.stringify(config),
    };
    workers.push(
      ...(await Promise.all(
        Array.from({ length: WORKERS }, () => startProcess(WORKER, workerEnv, 120_000)),
      )),
    );
    let failedOver: boolean | undefined;
    if (hooks.afterThird) {
      await waitFor("a third posted", () => messages().length >= total / 3, 120_000);
      failedOver = await hooks.afterThird();
    }
    await waitFor("drained", async () => (await producer.stats()).oldestAgeMs === 0, 300_000);
    await waitFor("all posted", () => messages().length >= total, 120_000).catch(() => undefined);
    const stats = await producer.stats();
    const ids = messages().flatMap((m) => m.metadata?.event_payload.alert_id ?? []);
    const result: ModeRun = {
      expected: total,
      distinct: new Set(ids).size,
      messages: ids.length,
      stats: JSON.stringify(stats),
    };
    if (failedOver !== undefined) result.failedOver = failedOver;
    if (hooks.masters) {
      result.commandsPerAlert = ((await masterCommands(hooks.masters)) - before) / total;
      // every key on every master, sorted by whether it carries the run's prefix (and tag)
      let holding = 0;
      let outside = 0;
      for (const port of hooks.masters) {
        const r = new Redis({ port, lazyConnect: true });
        await r.connect();
        let mine = 0;
        let cursor = "0";
        do {
          const [next, keys] = await r.scan(cursor, "COUNT", 1000);
          cursor = next;
          for (const k of keys) k.startsWith(prefix) ? mine++ : outside++;
        } while (cursor !== "0");
        if (mine > 0) holding++;
        r.disconnect();
      }
      result.keysOutsideTag = outside;
      result.mastersWithKeys = holding;
    }
    return result;
  } finally {
    for (const w of workers) await stopWorkerProcess(w);
    await producer.close();
    await deleteByPrefix(redis, prefix);
    await redis.quit();
    await emu.close();
  }
}

function counts(mode: string, r: ModeRun): BenchMetric[] {
  return [
    {
      name: `${mode}: alerts posted once ÷ expected`,
      value: r.distinct / r.expected,
      unit: "ratio",
      target: { op: "==", value: 1 },
    },
    {
      name: `${mode}: lost`,
      value: r.expected - r.distinct,
      unit: "alerts",
      target: { op: "==", value: 0 },
    },
    {
      name: `${mode}: duplicated`,
      value: r.messages - r.distinct,
      unit: "messages",
      target: { op: "==", value: 0 },
    },
  ];
}

const scenario: Scenario = async ({ quick, redisUrl }) => {
  const total = quick ? 120 : 600;
  const notes: string[] = [];
  const single = await run(
    "single",
    { mode: "single", url: redisUrl },
    { REDIS_URL: redisUrl },
    total,
  );

  const clusterEnv = topology("start", "cluster");
  let cluster: ModeRun;
  try {
    const nodes = clusterEnv.REDIS_CLUSTER_NODES ?? "";
    const masters: number[] = [];
    const probe = new Redis({ port: hostPorts(nodes)[0]?.port ?? 7001, lazyConnect: true });
    await probe.connect();
    for (const line of String(await probe.call("CLUSTER", "NODES")).split("\n")) {
      if (/\bmaster\b/.test(line)) masters.push(Number(/:(\d+)@/.exec(line)?.[1]));
    }
    probe.disconnect();
    const target: RedisTarget = {
      mode: "cluster",
      nodes: hostPorts(nodes),
      auth: {},
      replicaAcks: { replicas: 1, timeoutMs: 500 },
    };
    cluster = await run(
      "cluster",
      target,
      { REDIS_URL: redisUrl, REDIS_CLUSTER_NODES: nodes },
      total,
      { masters },
    );
  } finally {
    topology("stop", "cluster");
  }

  const sentinelEnv = topology("start", "sentinel");
  let sentinel: ModeRun;
  try {
    const sentinels = hostPorts(sentinelEnv.REDIS_SENTINELS ?? "");
    const name = sentinelEnv.REDIS_SENTINEL_NAME ?? "cs-test";
    const admin = new Redis({ port: sentinels[0]?.port ?? 26416 });
    const masterPort = async () =>
      Number(((await admin.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)) as string[])[1]);
    sentinel = await run(
      "sentinel",
      { mode: "sentinel", sentinels, name, auth: {}, replicaAcks: { replicas: 1, timeoutMs: 500 } },
      {
        REDIS_URL: redisUrl,
        REDIS_SENTINELS: sentinelEnv.REDIS_SENTINELS ?? "",
        REDIS_SENTINEL_NAME: name,
      },
      total,
      {
        afterThird: async () => {
          const before = await masterPort();
          await admin.call("SENTINEL", "FAILOVER", name);
          await waitFor("a new master", async () => (await masterPort()) !== before, 30_000);
          return true;
        },
      },
    );
    admin.disconnect();
  } finally {
    topology("stop", "sentinel");
  }

  notes.push(
    `${total} alerts, ${WORKERS} worker processes, ${CHANNELS} channels, emulator ×${TIME_SCALE}; sentinel: SENTINEL FAILOVER after a third was posted (failed over: ${sentinel.failedOver})`,
    `cluster: the deployment's keys on ${cluster.mastersWithKeys} of 3 masters (one hash tag), ${cluster.keysOutsideTag} keys outside it; ${cluster.commandsPerAlert?.toFixed(1)} Redis commands per alert on the masters`,
    `delivery stats: single ${single.stats}; cluster ${cluster.stats}; sentinel ${sentinel.stats}`,
  );
  return {
    scenario: "redis-modes",
    metrics: [
      ...counts("single", single),
      ...counts("cluster", cluster),
      ...counts("sentinel+failover", sentinel),
      {
        name: "cluster: same exactly-once counts as single",
        value: cluster.distinct === single.distinct && cluster.messages === single.messages ? 1 : 0,
        unit: "bool",
        target: { op: "==", value: 1 },
      },
      {
        name: "cluster: Redis commands per alert",
        value: cluster.commandsPerAlert ?? Number.NaN,
        unit: "commands",
      },
    ],
    notes,
  };
};

export default scenario;
