import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { skewedWorkload, startEmu } from "../../test/delivery/emu.ts";
import type { Scenario } from "../types.ts";

/**
 * Ack latency of the Bolt app at 100 requests/s (open loop: request i leaves at i × 10 ms whether
 * or not earlier ones were answered) while 5,000 alerts wait in delivery's queue and the real
 * delivery worker (pacer, markers, audit, Block Kit, chat.postMessage) posts them to the emulator
 * beside it. Lookups take 150 ms (ION latency) and must not delay the ack. The app and its
 * worker run in a child process (test/slack/helpers/app-process.ts); the emulator plays Slack
 * from this one. After the ack run the backlog is waited for (bounded) and its drain measured.
 * The baseline is a bare HTTP server in a child process answering at once: the floor of what an
 * ack costs on this machine through the same signed-request path.
 */
const RATE = 100;
const BACKLOG = 5_000;
const CHANNELS = 20;
/** Emulator and pacer time scale: 20 channels at 1 message/s each become 400 messages/s. */
const TIME_SCALE = 20;
const DELIVERY_CONCURRENCY = 8;
/** Bound of the wait for the backlog after the ack run. */
const DRAIN_BOUND_MS = 300_000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? Number.NaN;
}

const scenario: Scenario = async ({ quick, redisUrl }) => {
  const seconds = quick ? 3 : 10;
  const total = RATE * seconds;
  const prefix = `bench:interactive:${randomBytes(4).toString("hex")}:`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const emu = await startEmu(TIME_SCALE, CHANNELS);
  const deliveryPrefix = `${prefix}dlv-bench:`;
  // Enqueues only (no worker here): the app process posts them.
  const producer: Delivery = createSlackDelivery({
    connection: redis,
    prefix: deliveryPrefix,
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    config: { timeScale: TIME_SCALE, digests: { enabled: false } },
  });
  const children: ChildProcess[] = [];
  try {
    const backlog = skewedWorkload(BACKLOG, BACKLOG / CHANNELS, CHANNELS);
    for (let i = 0; i < backlog.length; i += 50) {
      await Promise.all(backlog.slice(i, i + 50).map((a) => producer.enqueue(a)));
    }
    // The bulk path keeps working beside the interactive one (delivery in the app process).
    const appPort = await startChild(children, "test/slack/helpers/app-process.ts", {
      redisUrl,
      prefix,
      signingSecret: emu.signingSecret,
      botToken: emu.botToken,
      slackApiUrl: emu.url,
      delivery: {
        prefix: deliveryPrefix,
        concurrency: DELIVERY_CONCURRENCY,
        timeScale: TIME_SCALE,
      },
      lookupDelayMs: 150,
      replayProtection: process.env.BENCH_NO_REPLAY_CHECK !== "1",
    });
    const backlogStart = performance.now();
    const barePort = await startChild(children, "", {});
    const appUrl = `http://127.0.0.1:${appPort}/slack/events`;
    const bareUrl = `http://127.0.0.1:${barePort}/slack/events`;

    const texts = ["po 4500012345", "invoice INV-1", "supplier acme", "help", "gl 4010", "po 1 2"];
    emu.platform.setRequestUrl(appUrl);
    // Each tick sends one signed command to the app and a same-size POST to the bare server at
    // the same instant, so both see the same machine noise.
    const run = async (n: number) => {
      const app = { latencies: [] as number[], failures: 0 };
      const bare = { latencies: [] as number[], failures: 0 };
      const start = performance.now();
      const sends: Promise<void>[] = [];
      const timed = (into: typeof app, p: Promise<number>) => {
        const t = performance.now();
        return p.then(
          (status) => {
            if (status !== 200) into.failures++;
            into.latencies.push(performance.now() - t);
          },
          () => {
            into.failures++;
          },
        );
      };
      for (let i = 0; i < n; i++) {
        const due = start + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const text = `${texts[i % texts.length]}${i % 3 === 0 ? i : ""}`;
        sends.push(
          timed(
            app,
            emu.platform
              .slashCommand({
                command: "/infor",
                text,
                userId: `U0LOAD${String(i % 50).padStart(4, "0")}`,
                channelId: "C0AP000001",
              })
              .then((r) => r.status),
          ),
          timed(
            bare,
            fetch(bareUrl, {
              method: "POST",
              headers: { "content-type": "application/x-www-form-urlencoded" },
              body: `command=%2Finfor&text=${encodeURIComponent(text)}&user_id=U0LOAD0001&padding=${"x".repeat(400)}`,
            }).then((r) => r.status),
          ),
        );
      }
      await Promise.all(sends);
      const sort = (x: typeof app) => ({ ...x, sorted: x.latencies.sort((a, b) => a - b) });
      return { app: sort(app), base: sort(bare) };
    };

    await run(50); // warm up (JIT, connection pools)
    const { app, base } = await run(total);
    const duringAcks = await producer.stats();
    // The rest of the backlog, through the same path, then its drain time (bounded).
    let backlogS = Number.POSITIVE_INFINITY;
    let after = duringAcks;
    const end = performance.now() + DRAIN_BOUND_MS;
    while (performance.now() < end) {
      after = await producer.stats();
      if (
        after.posted + after.deadLetters >= BACKLOG &&
        after.waiting + after.delayed + after.active === 0
      ) {
        backlogS = (performance.now() - backlogStart) / 1000;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const p50 = percentile(app.sorted, 50);
    const p99 = percentile(app.sorted, 99);
    const baseP99 = percentile(base.sorted, 99);
    return {
      scenario: "interactive",
      metrics: [
        { name: "ack p50", value: round(p50), unit: "ms" },
        { name: "ack p99", value: round(p99), unit: "ms", target: { op: "<", value: 50 } },
        { name: "ack max", value: round(app.sorted.at(-1) ?? Number.NaN), unit: "ms" },
        { name: "bare server p99 (baseline)", value: round(baseP99), unit: "ms" },
        { name: "p99 / baseline p99", value: round(p99 / baseP99), unit: "x" },
        {
          name: "acks not 200",
          value: app.failures,
          unit: "count",
          target: { op: "==", value: 0 },
        },
        { name: "backlog posted during the ack run", value: duringAcks.posted, unit: "count" },
        {
          name: "backlog posted",
          value: after.posted,
          unit: "count",
          target: { op: "==", value: BACKLOG },
        },
        { name: "backlog drain (app start to last post)", value: round(backlogS), unit: "s" },
        {
          name: "backlog 429s",
          value: emu.inspect.rateLimited().total,
          unit: "count",
          target: { op: "==", value: 0 },
        },
      ],
      notes: [
        `${total} signed slash commands at ${RATE}/s, lookups 150 ms each, while ${BACKLOG} queued alerts go through the real delivery path (worker in the app process, concurrency ${DELIVERY_CONCURRENCY}, pacer) to the emulator at time scale ${TIME_SCALE} (${CHANNELS} channels × ${TIME_SCALE} messages/s)`,
        `backlog lower bound: ${BACKLOG / CHANNELS} alerts per channel / ${TIME_SCALE} per s = ${(BACKLOG / CHANNELS / TIME_SCALE).toFixed(1)} s; dead letters ${after.deadLetters}`,
      ],
    };
  } finally {
    await Promise.all(children.map(stopChild));
    await producer.close();
    await emu.close();
    await deleteByPrefix(redis, prefix);
    await redis.quit();
  }
};

// A bare server answering 200 at once: the baseline, in a process of its own like the app.
const BARE_SERVER = `
const s = require("node:http").createServer((q, r) => { q.resume(); r.writeHead(200).end(); });
s.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: s.address().port })));
process.once("SIGTERM", () => s.close(() => process.exit(0)));`;

/** Spawns a Node child (the same Node 24 as this process) and waits for its `{"port":N}` line. */
async function startChild(
  children: ChildProcess[],
  script: string,
  options: Record<string, unknown>,
): Promise<number> {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the app process there, to see where acks go.
  const prof = process.env.BENCH_CPU_PROF
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const args = script ? [...prof, script, JSON.stringify(options)] : ["-e", BARE_SERVER];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script || "bare server"} did not start`)),
      20_000,
    );
    child.once("exit", (code) =>
      reject(new Error(`${script || "bare server"} exited with ${code}`)),
    );
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export default scenario;
