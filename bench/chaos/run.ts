import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { createRng } from "../../sandbox/support/random.ts";
import { type PrivateRedis, startPrivateRedis } from "../../sandbox/support/redis-server.ts";
import { AuditLog } from "../../src/audit/log.ts";
import { type ChaosCounts, compareRun, type PostedMessage } from "./compare.ts";
import { type InjectedInvoice, injectInvoices } from "./inject.ts";
import type { ChaosOptions } from "./options.ts";
import { type FaultEvent, planFaults } from "./plan.ts";
import { type AppProcess, type AppRole, crash, startAppProcess, stopAppProcess } from "./procs.ts";
import { COST_CENTER_CHANNELS, chaosRoutingYaml, DEFAULT_CHANNEL, OPS_CHANNEL } from "./routing.ts";

export interface ChaosReport {
  options: ChaosOptions;
  tag: string;
  counts: ChaosCounts;
  /** Occurrences of the run's secrets (tokens, signing secret, .ionapi secrets) in any process output or message. */
  secretsFound: number;
  seconds: number;
  /** Faults that actually fired (emulator rules count their hits). */
  fired: {
    workerKills: number;
    redisRestarts: number;
    throttleBursts: number;
    tokenExpiries: number;
    slack500: number;
    slackAmbiguous: number;
    ion429: number;
    ion401: number;
  };
  /** Why the wait ended: everything accounted for, no progress, or the time limit. */
  finished: "complete" | "stalled" | "time_limit";
  problems: string[];
}

/** Redis key prefix of the app: app-process.ts takes CHAOS_PREFIX; `serve` always uses "cs:". */
const prefixFor = (mode: ChaosOptions["mode"]) => (mode === "serve" ? "cs:" : "chaos:");
const MALFORMED_EVERY = 250;

/**
 * One chaos run: private Redis (AOF), the ION simulator, the Slack emulator, a scheduler and
 * `workers` worker processes of the composed app; invoices created in the simulator while the
 * planned faults fire; then the simulator's records compared with the emulator's messages.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const rng = createRng(o.seed);
  const tag = `X${randomBytes(3).toString("hex").toUpperCase()}`;
  const log = (line: string) => {
    if (o.verbose) {
      process.stderr.write(`chaos +${((Date.now() - started) / 1000).toFixed(1)}s ${line}\n`);
    }
  };
  const problems: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "cloudsuite-chaos-"));
  // The sandbox servers, the redis-server child and ioredis sockets do not hold the event loop
  // open; this does, until the run is over.
  const keepAlive = setInterval(() => {}, 1_000);
  let redis: PrivateRedis | undefined;
  let sim: InforSim | undefined;
  let emu: SlackEmu | undefined;
  const procs: AppProcess[] = [];
  // Output of processes killed and replaced during the run is scanned too.
  const allOutputs: (() => string)[] = [];
  let secretsFound = 0;
  const fired = {
    workerKills: 0,
    redisRestarts: 0,
    throttleBursts: 0,
    tokenExpiries: 0,
    slack500: 0,
    slackAmbiguous: 0,
    ion429: 0,
    ion401: 0,
  };
  try {
    redis = await startPrivateRedis({ appendonly: true });
    const day = (offset: number) =>
      new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    sim = await startInforSim({
      port: 0,
      seed: o.seed,
      // The records span `days` ERP days ending today (inject.ts moves the clock forward).
      startDate: day(-(o.days - 1)),
      // Moving the clock a day must not expire tokens: the planned early expiry is the fault.
      tokenLifetimeSeconds: 60 * 86_400,
      data: { suppliersPerCompany: 5, purchaseOrders: 5, invoices: 5, manualVouchers: 1 },
    });
    const signingSecret = randomBytes(16).toString("hex");
    emu = await startSlackEmu({ port: 0, timeScale: o.timeScale, signingSecret });
    const since = day(-o.days);
    const routingFile = join(dir, "routing.yml");
    writeFileSync(routingFile, chaosRoutingYaml({ tenant: sim.tenant, since }));
    const env: Record<string, string> = {
      SLACK_BOT_TOKEN: emu.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: emu.url,
      REDIS_URL: redis.url,
      IONAPI_JSON: JSON.stringify(sim.ionapi),
      ROUTING_FILE: routingFile,
      LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? "warn",
      PORT: "0",
      CHAOS_PREFIX: prefixFor(o.mode),
      CHAOS_TIME_SCALE: String(o.timeScale),
    };
    const start = (role: AppRole, name: string) => startAppProcess(o.mode, role, name, env);
    const started0 = await Promise.all([
      start("scheduler", "scheduler"),
      ...Array.from({ length: o.workers }, (_, i) => start("worker", `worker-${i}`)),
    ]);
    procs.push(...started0);
    log(`${procs.length} processes ready (${o.mode} mode); tag ${tag}`);

    const slackRules = [
      emu.control.addFault({
        kind: "5xx",
        status: 500,
        method: "chat.postMessage",
        rate: o.slack500Rate,
      }),
      emu.control.addFault({
        kind: "ambiguous",
        mode: "drop",
        method: "chat.postMessage",
        rate: o.slackAmbiguousRate,
      }),
    ];
    const faultsDone = runFaultPlan(planFaults(o, rng), {
      procs,
      redis,
      sim,
      fired,
      log,
      restart: (p) => {
        allOutputs.push(p.output);
        return start(p.role, p.name);
      },
      restarting: new Map(),
    }).catch((err: unknown) => {
      problems.push(`fault plan: ${(err as Error).message}`);
    });
    let stopInjecting = false;
    const injected = await injectInvoices({
      sim,
      tag,
      count: o.records,
      overMs: o.injectOverMs,
      days: o.days,
      rng,
      malformedEvery: MALFORMED_EVERY,
      stopped: () => stopInjecting || Date.now() - started > o.timeLimitMs,
    });
    log(`${injected.length} invoices created`);
    await faultsDone;
    log("fault plan done; waiting for delivery");

    const finished = await waitForDelivery(emu, tag, injected, o, started, log);
    if (finished !== "complete") {
      // What the gateway answered last: the first place to look when polls stopped.
      const recent = sim.control.log().slice(-200);
      const byStatus = new Map<string, number>();
      for (const e of recent) {
        const k = `${e.status} ${e.path.split("?")[0]?.split("/").slice(-2).join("/")}`;
        byStatus.set(k, (byStatus.get(k) ?? 0) + 1);
      }
      problems.push(`ION gateway, last ${recent.length} calls: ${JSON.stringify([...byStatus])}`);
    }
    stopInjecting = true;
    for (const id of slackRules) {
      const rule = emu.control.listFaults().find((f) => f.id === id);
      if (rule?.kind === "5xx") fired.slack500 = rule.fired;
      if (rule?.kind === "ambiguous") fired.slackAmbiguous = rule.fired;
    }
    emu.control.clearFaults();
    const counters = sim.control.counters() as { status429?: number; unauthorized?: number };
    fired.ion429 = counters.status429 ?? 0;
    fired.ion401 = counters.unauthorized ?? 0;

    log(`delivery wait ended: ${finished}; stopping processes`);
    await Promise.all(procs.map((p) => stopAppProcess(p)));
    log("processes stopped; reading the audit log");
    // Secrets must not show in any log line or message, faults included (errors are where they leak).
    const secrets = [
      emu.botToken,
      signingSecret,
      String(sim.ionapi.cs ?? ""),
      String(sim.ionapi.sask ?? ""),
    ].filter((x) => x.length >= 8);
    const texts = [
      ...allOutputs.map((f) => f()),
      ...procs.map((p) => p.output()),
      JSON.stringify(postedMessages(emu)),
      JSON.stringify(emu.inspect.allMessages(OPS_CHANNEL)),
    ];
    secretsFound = texts.reduce((n, t) => n + secrets.filter((x) => t.includes(x)).length, 0);
    for (const p of procs) {
      if (p.unexpectedExit) problems.push(`${p.name} died on its own: ${p.unexpectedExit}`);
    }
    const audit = await readAudit(redis.url, prefixFor(o.mode), tag);
    const counts = compareRun({
      tag,
      injected,
      messages: postedMessages(emu),
      quarantinedNumbers: audit.quarantined,
      auditStored: audit.stored,
      auditDelivered: audit.delivered,
      channelFor: (cc) => (cc ? (COST_CENTER_CHANNELS[cc] ?? DEFAULT_CHANNEL) : DEFAULT_CHANNEL),
    });
    return {
      options: o,
      tag,
      counts,
      secretsFound,
      seconds: (Date.now() - started) / 1000,
      fired,
      finished,
      problems,
    };
  } finally {
    await Promise.all(procs.map((p) => stopAppProcess(p, 3_000).catch(() => {})));
    await emu?.close().catch(() => {});
    await sim?.close().catch(() => {});
    await redis?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    clearInterval(keepAlive);
  }
}

interface FaultDeps {
  procs: AppProcess[];
  redis: PrivateRedis;
  sim: InforSim;
  fired: ChaosReport["fired"];
  log: (line: string) => void;
  restart: (p: AppProcess) => Promise<AppProcess>;
  restarting: Map<string, Promise<void>>;
}

async function runFaultPlan(plan: FaultEvent[], d: FaultDeps): Promise<void> {
  const t0 = Date.now();
  const running: Promise<void>[] = [];
  for (const e of plan) {
    const wait = t0 + e.at - Date.now();
    if (wait > 0) await sleep(wait);
    running.push(fire(e, d));
  }
  await Promise.all(running);
}

async function fire(e: FaultEvent, d: FaultDeps): Promise<void> {
  switch (e.kind) {
    case "kill_worker": {
      const names = [...new Set(d.procs.filter((p) => p.role === "worker").map((p) => p.name))];
      const name = names[e.worker % names.length];
      if (!name) return;
      // One kill at a time per worker: a kill planned while it restarts waits for the restart.
      const previous = d.restarting.get(name) ?? Promise.resolve();
      const cycle = previous.then(async () => {
        const index = d.procs.findIndex((p) => p.name === name);
        const victim = d.procs[index];
        if (!victim) return;
        d.log(`SIGKILL ${name}`);
        await crash(victim);
        d.fired.workerKills += 1;
        await sleep(e.downMs);
        d.procs[index] = await d.restart(victim);
        d.log(`${name} restarted`);
      });
      d.restarting.set(name, cycle);
      await cycle;
      return;
    }
    case "restart_redis":
      d.log("redis-server restart");
      await d.redis.stop("SIGTERM");
      await sleep(e.downMs);
      await d.redis.start();
      d.fired.redisRestarts += 1;
      d.log("redis-server back");
      return;
    case "throttle":
      d.log(`ION gateway throttles for ${e.forMs} ms`);
      // One call a minute: every further call in the gateway's window answers 429.
      d.sim.control.configure({ requestsPerMinute: 1 });
      d.fired.throttleBursts += 1;
      await sleep(e.forMs);
      d.sim.control.configure({ requestsPerMinute: 0 });
      return;
    case "expire_tokens":
      d.log("ION access tokens expire early");
      d.sim.control.expireTokens();
      d.fired.tokenExpiries += 1;
      return;
  }
}

/** Poll the emulator until every well-formed invoice shows up, progress stops, or time runs out. */
async function waitForDelivery(
  emu: SlackEmu,
  tag: string,
  injected: readonly InjectedInvoice[],
  o: ChaosOptions,
  started: number,
  log: (line: string) => void,
): Promise<ChaosReport["finished"]> {
  const wanted = injected.filter((i) => !i.malformed).length;
  const pattern = new RegExp(`${tag}-\\d+(?!\\d)`, "g");
  let last = -1;
  let lastChange = Date.now();
  let lastLog = 0;
  for (;;) {
    const found = new Set<string>();
    for (const m of postedMessages(emu))
      for (const x of m.content.matchAll(pattern)) found.add(x[0]);
    const n = [...found].filter((x) => !x.endsWith("-")).length;
    if (n !== last) {
      last = n;
      lastChange = Date.now();
    }
    if (Date.now() - lastLog > 5_000) {
      log(`delivered ${n}/${wanted}`);
      lastLog = Date.now();
    }
    if (n >= wanted) {
      // A late duplicate (a retried post) would land within a few pacing intervals.
      await sleep(3_000);
      return "complete";
    }
    if (Date.now() - lastChange > o.stallTimeoutMs) return "stalled";
    if (Date.now() - started > o.timeLimitMs) return "time_limit";
    await sleep(1_000);
  }
}

function postedMessages(emu: SlackEmu): PostedMessage[] {
  const out: PostedMessage[] = [];
  for (const c of emu.inspect.channels()) {
    if (c.id === OPS_CHANNEL) continue;
    for (const m of emu.inspect.messages(c.id)) {
      if (m.deleted || !m.bot_id) continue;
      const alertId = m.metadata?.event_payload?.alert_id;
      out.push({
        channel: c.id,
        ts: m.ts,
        content: `${m.text}\n${JSON.stringify(m.blocks ?? [])}`,
        alertId: typeof alertId === "string" ? alertId : undefined,
      });
    }
  }
  return out;
}

async function readAudit(
  url: string,
  prefix: string,
  tag: string,
): Promise<{ stored: Set<string>; delivered: Set<string>; quarantined: Set<string> }> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  try {
    const log = new AuditLog({ redis, prefix });
    const entries = await log.query({
      types: ["alert.stored", "post.result", "post.resolved", "ops"],
      limit: Number.MAX_SAFE_INTEGER,
    });
    const stored = new Set<string>();
    const delivered = new Set<string>();
    const quarantined = new Set<string>();
    const pattern = new RegExp(`${tag}-\\d+(?!\\d)`, "g");
    for (const e of entries) {
      if (e.type === "alert.stored" && e.alertId) stored.add(e.alertId);
      // Delivery audits a post as post.result {ok} or, after an unknown outcome, as
      // post.resolved {found} (the message was found by its metadata).
      else if (e.type === "post.result" && e.alertId && e.data?.ok === true) {
        delivered.add(e.alertId);
      } else if (e.type === "post.resolved" && e.alertId && e.data?.found === true) {
        delivered.add(e.alertId);
      } else if (e.type === "ops" && e.data?.code === "record_quarantined") {
        for (const x of JSON.stringify(e.data).matchAll(pattern)) quarantined.add(x[0]);
      }
    }
    return { stored, delivered, quarantined };
  } finally {
    await redis.quit().catch(() => {});
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
