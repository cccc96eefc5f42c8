import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { createRng } from "../../sandbox/support/random.ts";
import { type PrivateRedis, startPrivateRedis } from "../../sandbox/support/redis-server.ts";
import { type Receiver, startReceiver } from "../../sandbox/webhook-receiver/server.ts";
import { AuditLog } from "../../src/audit/log.ts";
import {
  buildLedger,
  type ChaosCounts,
  compareLedger,
  type Expectation,
  type SlackMessage,
  type StoredAlert,
} from "./compare.ts";
import { FOLLOW_UP_ALERTS, runFollowUps } from "./followups.ts";
import { type InjectedInvoice, injectInvoices } from "./inject.ts";
import type { ChaosOptions } from "./options.ts";
import { type FaultEvent, planFaults } from "./plan.ts";
import { type AppProcess, type AppRole, crash, startAppProcess, stopAppProcess } from "./procs.ts";
import {
  COST_CENTER_CHANNELS,
  chaosRoutingYaml,
  DEFAULT_CHANNEL,
  OPS_CHANNEL,
  WEBHOOK_COST_CENTERS,
  WEBHOOK_NAME,
} from "./routing.ts";
import {
  compareWebhook,
  type WebhookCounts,
  type WebhookReceipt,
  type WebhookSource,
} from "./webhook-ledger.ts";

export interface ChaosReport {
  options: ChaosOptions;
  tag: string;
  counts: ChaosCounts;
  /** The webhook receiver's side of the ledger (webhook-ledger.ts). */
  webhook: WebhookCounts;
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
    webhook500: number;
    webhookDropped: number;
    ion429: number;
    ion401: number;
  };
  /** M3 event push (`pushDropShare` set): the simulator's event counts at the end. */
  push?: { dropShare: number; emitted: number; dropped: number; failed: number };
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
    webhook500: 0,
    webhookDropped: 0,
    ion429: 0,
    ion401: 0,
  };
  let receiver: Receiver | undefined;
  let pushCounts: ChaosReport["push"];
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
    // The signed webhook some routes also feed: it fails like Slack does (5xx before storing,
    // stored-then-dropped), from the run's seed.
    const webhookSecret = randomBytes(24).toString("hex");
    const webhookRng = createRng(o.seed + 1);
    let drawn = 0;
    receiver = await startReceiver({
      secrets: [webhookSecret],
      faults: { failRate: o.slack500Rate, dropRate: o.slackAmbiguousRate },
      random: () => {
        const x = webhookRng.next();
        drawn++;
        if (x < o.slack500Rate) fired.webhook500++;
        else if (x < o.slack500Rate + o.slackAmbiguousRate) fired.webhookDropped++;
        return x;
      },
    });
    const routingFile = join(dir, "routing.yml");
    writeFileSync(
      routingFile,
      chaosRoutingYaml({
        tenant: sim.tenant,
        since,
        webhook: { url: receiver.url, lookupUrl: receiver.lookupUrl },
      }),
    );
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
      WEBHOOK_SECRETS: `${WEBHOOK_NAME}:${webhookSecret}`,
    };
    const start = (role: AppRole, name: string) => startAppProcess(o.mode, role, name, env);
    const started0 = await Promise.all([
      start("scheduler", "scheduler"),
      ...Array.from({ length: o.workers }, (_, i) => start("worker", `worker-${i}`)),
    ]);
    procs.push(...started0);
    const pushToken = randomBytes(24).toString("hex");
    if (o.pushDropShare !== undefined) {
      // M3's Event Subscriber web service posts to the web role (docs/push.md); the simulator
      // drops a share of its events, which only the polls can then bring.
      const web = await startAppProcess(o.mode, "web", "web", {
        ...env,
        PUSH_BEARER_TOKENS: pushToken,
      });
      procs.push(web);
      if (!web.url) throw new Error("the web process did not say its URL");
      sim.control.configureEvents({
        url: `${web.url}/m3/events`,
        dropEventShare: o.pushDropShare,
        seed: o.seed,
        bearerToken: pushToken,
      });
    }
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
    const injected: InjectedInvoice[] = [];
    let injectionDone = false;
    const overTime = () => stopInjecting || Date.now() - started > o.timeLimitMs;
    const emuNow = emu;
    // Reading the emulator copies every message: at most every 2 s (this process also runs the
    // emulator and the simulator the app is waiting on).
    const progress = everyAtMost(2_000, () => progressOf(emuNow, tag));
    const followUps = runFollowUps({
      sim,
      invoices: injected,
      injectionDone: () => injectionDone,
      visible: () => progress().bothShown,
      stopped: overTime,
    });
    await injectInvoices({
      sim,
      tag,
      count: o.records,
      overMs: o.injectOverMs,
      days: o.days,
      rng,
      malformedEvery: MALFORMED_EVERY,
      stopped: overTime,
      out: injected,
    });
    injectionDone = true;
    log(`${injected.length} invoices created`);
    await faultsDone;
    log("fault plan done; waiting for delivery");

    const finished = await waitForDelivery(progress, injected, o, started, log, () =>
      followUps.then((d) => d.size),
    );
    const followedUp = await followUps;
    stopInjecting = true;
    log(`${followedUp.size} follow-ups applied; waiting for the delivery queue to drain`);
    const drained = await waitForDrain(redis.url, prefixFor(o.mode), o.drainTimeoutMs);
    log(`delivery queue ${drained ? "drained" : "NOT drained"}`);
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
    for (const id of slackRules) {
      const rule = emu.control.listFaults().find((f) => f.id === id);
      if (rule?.kind === "5xx") fired.slack500 = rule.fired;
      if (rule?.kind === "ambiguous") fired.slackAmbiguous = rule.fired;
    }
    emu.control.clearFaults();
    if (o.pushDropShare !== undefined) {
      const events = sim.control.eventCounters();
      pushCounts = {
        dropShare: o.pushDropShare,
        emitted: events.emitted,
        dropped: events.dropped,
        failed: events.failed,
      };
      log(
        `push: ${events.emitted} events sent, ${events.dropped} dropped, ${events.failed} failed`,
      );
    }
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
      webhookSecret,
      pushToken,
    ].filter((x) => x.length >= 8);
    const receipts: WebhookReceipt[] = receiver.receipts().map((r) => ({
      id: r.id,
      sourceAlertId: typeof r.body.sourceAlertId === "string" ? r.body.sourceAlertId : undefined,
      text: JSON.stringify(r.body),
    }));
    const texts = [
      ...receipts.map((r) => r.text),
      ...allOutputs.map((f) => f()),
      ...procs.map((p) => p.output()),
      JSON.stringify(slackMessages(emu)),
      JSON.stringify(emu.inspect.allMessages(OPS_CHANNEL)),
    ];
    secretsFound = texts.reduce((n, t) => n + secrets.filter((x) => t.includes(x)).length, 0);
    for (const p of procs) {
      if (p.unexpectedExit) problems.push(`${p.name} died on its own: ${p.unexpectedExit}`);
    }
    const audit = await readAudit(redis.url, prefixFor(o.mode), tag);
    const channelFor = (cc: string | undefined) =>
      cc ? (COST_CENTER_CHANNELS[cc] ?? DEFAULT_CHANNEL) : DEFAULT_CHANNEL;
    const expectations: Expectation[] = injected.map((i) => ({
      invoice: i.number,
      channel: channelFor(i.costCenter),
      malformed: i.malformed,
      followUps: i.followUp && followedUp.has(i.number) ? FOLLOW_UP_ALERTS[i.followUp] : [],
    }));
    const { ledger, unexpected } = buildLedger(expectations, audit.storedAlerts);
    // Everything the comparison saw, for a failing run's post-mortem.
    if (process.env.CHAOS_DUMP) {
      writeFileSync(
        process.env.CHAOS_DUMP,
        JSON.stringify({
          tag,
          expectations,
          storedAlerts: audit.storedAlerts,
          ledger,
          messages: slackMessages(emu),
        }),
      );
    }
    const webhook = compareWebhook({
      tag,
      target: `webhook:${WEBHOOK_NAME}`,
      mirroredChannels: new Set(
        WEBHOOK_COST_CENTERS.map((cc) => COST_CENTER_CHANNELS[cc] ?? DEFAULT_CHANNEL),
      ),
      sources: audit.webhookSources,
      receipts,
      refused: receiver.refused(),
    });
    log(`webhook receiver: ${drawn} requests drawn, ${receipts.length} receipts`);
    const counts = compareLedger({
      tag,
      expectations,
      ledger,
      unexpectedStored: unexpected,
      messages: slackMessages(emu),
      quarantinedNumbers: audit.quarantined,
      auditStored: audit.stored,
      auditDelivered: audit.delivered,
      drained,
    });
    return {
      options: o,
      tag,
      counts,
      webhook,
      secretsFound,
      seconds: (Date.now() - started) / 1000,
      fired,
      ...(pushCounts ? { push: pushCounts } : {}),
      finished,
      problems,
    };
  } finally {
    await Promise.all(procs.map((p) => stopAppProcess(p, 3_000).catch(() => {})));
    await emu?.close().catch(() => {});
    await receiver?.close().catch(() => {});
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

/**
 * Poll the emulator until every expected message shows: each well-formed invoice's record and
 * exception messages, and a thread reply on each for every follow-up (once they are all applied).
 * Ends early when progress stops or time runs out.
 */
async function waitForDelivery(
  progress: () => Progress,
  injected: readonly InjectedInvoice[],
  o: ChaosOptions,
  started: number,
  log: (line: string) => void,
  followUpsDone: () => Promise<number>,
): Promise<ChaosReport["finished"]> {
  let followed: number | undefined;
  void followUpsDone().then((n) => {
    followed = n;
  });
  let last = -1;
  let lastChange = Date.now();
  let lastLog = 0;
  for (;;) {
    const wellFormed = injected.filter((i) => !i.malformed).length;
    const planned = injected.filter((i) => i.followUp).length;
    // Two top-level messages per invoice, and two thread replies (record, exception) per follow-up.
    const wanted = 2 * wellFormed + 2 * (followed ?? planned);
    const p = progress();
    const n = p.topLevel + p.replies;
    if (n !== last) {
      last = n;
      lastChange = Date.now();
    }
    if (Date.now() - lastLog > 5_000) {
      log(`in Slack ${n}/${wanted} (top-level ${p.topLevel}, replies ${p.replies})`);
      lastLog = Date.now();
    }
    if (followed !== undefined && n >= wanted) {
      // A late duplicate (a retried post) would land within a few pacing intervals.
      await sleep(3_000);
      return "complete";
    }
    if (Date.now() - lastChange > o.stallTimeoutMs) return "stalled";
    if (Date.now() - started > o.timeLimitMs) return "time_limit";
    await sleep(1_000);
  }
}

/**
 * What of the run is in Slack so far: top-level messages with our metadata naming one of the
 * run's invoices first (one per invoice and kind counted), the thread replies under them, and
 * the invoices whose record and exception messages are both there.
 */
interface Progress {
  topLevel: number;
  replies: number;
  bothShown: Set<string>;
}

/** `f`, computed again only when its last result is older than `ms`. */
function everyAtMost<T>(ms: number, f: () => T): () => T {
  let at = 0;
  let last: T | undefined;
  return () => {
    if (last === undefined || Date.now() - at >= ms) {
      last = f();
      at = Date.now();
    }
    return last;
  };
}

function progressOf(emu: SlackEmu, tag: string): Progress {
  const pattern = new RegExp(`${tag}-\\d+(?!\\d)`);
  const shown = new Map<string, Set<string>>();
  let replies = 0;
  for (const c of emu.inspect.channels()) {
    if (c.id === OPS_CHANNEL) continue;
    for (const m of emu.inspect.messages(c.id)) {
      if (m.deleted || !m.bot_id || !m.metadata) continue;
      // As first posted (later versions word it differently); the text fallback names the invoice.
      const text = (m.edits[0]?.previous ?? m).text;
      const number = pattern.exec(text)?.[0];
      if (!number) continue;
      const kind = /^(New|Updated)\b/.test(text.split(number)[0]?.trim() ?? "")
        ? "record"
        : "exception";
      const set = shown.get(number) ?? new Set<string>();
      set.add(kind);
      shown.set(number, set);
      replies += m.replies.filter((r) => r.bot_id && !r.deleted).length;
    }
  }
  let topLevel = 0;
  const bothShown = new Set<string>();
  for (const [number, kinds] of shown) {
    topLevel += kinds.size;
    if (kinds.size === 2) bothShown.add(number);
  }
  return { topLevel, replies, bothShown };
}

/**
 * Waits (at most `timeoutMs`) until delivery's queue holds nothing waiting, delayed or active and
 * no alert is pending, so the workers are stopped with nothing left to do. False on timeout.
 */
async function waitForDrain(url: string, prefix: string, timeoutMs: number): Promise<boolean> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  const queue = new Queue("slack-delivery", { connection: redis, prefix: `${prefix}bull` });
  try {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const c = await queue.getJobCounts(
        "waiting",
        "delayed",
        "active",
        "prioritized",
        "waiting-children",
      );
      const queued = Object.values(c).reduce((n, v) => n + v, 0);
      const pending = await redis.zcard(`${prefix}dlv:pending`);
      if (queued === 0 && pending === 0) return true;
      if (Date.now() > end) return false;
      await sleep(1_000);
    }
  } finally {
    await queue.close().catch(() => {});
    await redis.quit().catch(() => {});
  }
}

/** Every bot message outside the ops channel, each with all its versions; replies included. */
function slackMessages(emu: SlackEmu): SlackMessage[] {
  const out: SlackMessage[] = [];
  const alertIdOf = (m: { metadata?: { event_payload?: Record<string, unknown> } | undefined }) => {
    const id = m.metadata?.event_payload?.alert_id;
    return typeof id === "string" ? id : undefined;
  };
  const contentOf = (m: { text: string; blocks?: unknown[] | undefined }) =>
    `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
  for (const c of emu.inspect.channels()) {
    if (c.id === OPS_CHANNEL) continue;
    for (const m of emu.inspect.allMessages(c.id)) {
      if (m.deleted || !m.bot_id) continue;
      const reply = m.thread_ts !== undefined && m.thread_ts !== m.ts;
      out.push({
        channel: c.id,
        ts: m.ts,
        threadTs: reply ? m.thread_ts : undefined,
        versions: [
          ...m.edits.map((e) => ({
            alertId: alertIdOf(e.previous),
            content: contentOf(e.previous),
          })),
          { alertId: alertIdOf(m), content: contentOf(m) },
        ],
      });
    }
  }
  return out;
}

/**
 * The audit log of the run: alerts stored for the run's invoices (in stream order), alert ids
 * with `alert.stored`, alert ids with a successful post, and quarantined invoice numbers.
 */
async function readAudit(
  url: string,
  prefix: string,
  tag: string,
): Promise<{
  storedAlerts: StoredAlert[];
  stored: Set<string>;
  delivered: Set<string>;
  quarantined: Set<string>;
  /** Slack alerts of run invoices a webhook may mirror (the webhook ledger's expectations). */
  webhookSources: WebhookSource[];
}> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  try {
    const log = new AuditLog({ redis, prefix });
    const entries = await log.query({
      types: ["alert.stored", "post.result", "post.resolved", "ops"],
      limit: Number.MAX_SAFE_INTEGER,
    });
    const storedAlerts: StoredAlert[] = [];
    const stored = new Set<string>();
    const delivered = new Set<string>();
    const quarantined = new Set<string>();
    const pattern = new RegExp(`${tag}-\\d+(?!\\d)`, "g");
    const first = new RegExp(`${tag}-\\d+(?!\\d)`);
    // Record keys name the invoice by its batch (M3 INBN), so the invoice number comes from the
    // record alert's record; an exception's key is its invoice's key plus "#mx_…".
    const numberOfKey = new Map<string, string>();
    for (const e of entries) {
      const alert =
        e.type === "alert.stored" ? (e.data?.alert as StoredShape | undefined) : undefined;
      const n = alert?.record?.invoiceNumber;
      if (alert?.recordKey && n && first.test(n)) numberOfKey.set(alert.recordKey, n);
    }
    const pending: {
      alertId: string;
      key: string;
      kind: StoredAlert["kind"];
      replyTo?: string;
      lines?: StoredAlert["lines"];
      channel: string;
      mirror: boolean;
    }[] = [];
    for (const e of entries) {
      if (e.type === "alert.stored" && e.alertId) {
        stored.add(e.alertId);
        const alert = e.data?.alert as StoredShape | undefined;
        const kind = alert?.kind;
        // The approvers' cards in direct messages (D… conversations; routing.yml
        // approvals.dmApprovers) repeat the channel's exception for one person each: the ledger
        // is the channels' (cards are counted by test/slack/approver-cards*).
        if (alert?.channel?.startsWith("D")) continue;
        if (
          alert?.recordKey &&
          (kind === "record.new" ||
            kind === "record.updated" ||
            kind === "exception.opened" ||
            kind === "exception.resolved" ||
            kind === "note")
        ) {
          const replyTo = alert.reply?.parentAlertId;
          // A document version (one message per invoice) names the exception lines it changed;
          // its thread reply carries the same payload but counts as the reply, not as changes.
          const events = replyTo ? undefined : alert.document?.events;
          pending.push({
            alertId: e.alertId,
            key: alert.recordKey.split("#")[0] ?? "",
            kind,
            ...(replyTo ? { replyTo } : {}),
            ...(events
              ? {
                  lines: events.map((x) => ({
                    lineId: x.lineId ?? "",
                    event: x.event ?? "changed",
                  })),
                }
              : {}),
            channel: alert.channel ?? "",
            mirror: alert.mirrorOf !== undefined,
          });
        }
      }
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
    const webhookSources: WebhookSource[] = [];
    for (const p of pending) {
      const invoice = numberOfKey.get(p.key);
      // The webhook's own alerts are the webhook ledger's (receipts); the Slack ledger's
      // alerts of mirrored channels are what it expects there.
      if (!invoice || p.mirror) continue;
      if (p.kind !== "note" && !p.replyTo) {
        webhookSources.push({ alertId: p.alertId, kind: p.kind, channel: p.channel, invoice });
      }
      storedAlerts.push({
        alertId: p.alertId,
        invoice,
        kind: p.kind,
        ...(p.replyTo ? { replyTo: p.replyTo } : {}),
        ...(p.lines ? { lines: p.lines } : {}),
      });
    }
    return { storedAlerts, stored, delivered, quarantined, webhookSources };
  } finally {
    await redis.quit().catch(() => {});
  }
}

/** The part of a stored alert the ledger reads. */
interface StoredShape {
  kind?: string;
  recordKey?: string;
  record?: { invoiceNumber?: string };
  /** Delivery's thread reply of an edit (an alert of its own). */
  reply?: { parentAlertId?: string };
  /** An invoice's document alert: the exception lines this version changed. */
  document?: { events?: { lineId?: string; event?: "opened" | "changed" | "resolved" }[] };
  channel?: string;
  /** Set on the copy a webhook gets (mirrorAlert). */
  mirrorOf?: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
