/**
 * Approvals chaos variant (`npm run chaos -- --approvals`): Slack decisions written to M3 while
 * M3 decides some of the same invoices itself, workers die and approve answers get lost.
 * Counts divergences between the final Slack message, the audit log and the simulator's state,
 * double decisions in M3, and how long a decision taken in M3 takes to show in Slack.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { Redis } from "ioredis";
import pino from "pino";
import { startInforSim } from "../../../sandbox/infor-sim/server.ts";
import { startSlackEmu } from "../../../sandbox/slack-emu/server.ts";
import { createAlert } from "../../../src/alerts/alert.ts";
import { createPendingApproval } from "../../../src/approvals/create-pending.ts";
import { createApprovalStore } from "../../../src/approvals/store.ts";
import { AuditLog } from "../../../src/audit/log.ts";
import type { Delivery } from "../../../src/delivery/delivery.ts";
import { createInforClient } from "../../../src/infor/create-client.ts";
import { parseIonapi } from "../../../src/infor/ionapi.ts";
import { MiClient } from "../../../src/infor/m3/mi-client.ts";
import { createM3Source } from "../../../src/infor/m3-source.ts";
import { recordKey, type SupplierInvoice } from "../../../src/infor/records.ts";
import type { InforSource } from "../../../src/infor/source.ts";
import { auditInputOf, slackAuditToLog } from "../../../src/slack/audit-sink.ts";
import { chaosDelivery, UNPACED_SCALE } from "./delivery.ts";

export interface ApprovalChaosOptions {
  invoices: number;
  /** Share decided "in M3" by the simulator while Slack decides the rest. */
  m3Share: number;
  kills: number;
  workers: number;
  /** Probability that an approve/reject answer is lost after M3 applied it. */
  dropRate: number;
  /** Reflection poll interval (the "one poll" of the p95 target). */
  pollMs: number;
  /**
   * Slack's method tiers on (`--tiers S`): the emulator enforces them (429s) on a clock S times
   * faster, and the workers and the reflector pace every tiered method through the product's
   * shared Redis budget at the same scale. Off by default (pacing is delivery's chaos's subject).
   */
  tiersScale?: number;
  /**
   * `--m3-over S`: the M3 share decided over S seconds (random gaps averaging S ÷ their number)
   * instead of back to back (0-3 ms apart, one burst at the start).
   */
  m3OverMs?: number;
  seed: number;
  out?: string;
}

const CHANNEL = "C0AP000001";
const USERS = ["U0APPR0001", "U0APPR0002", "U0APPR0003"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

export async function runApprovalChaos(o: ApprovalChaosOptions) {
  const started = Date.now();
  // "1 / 5 / 15 min" as text: the result file stays as Biome formats it.
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(" / ");
  const loadAtStart = load();
  const random = rng(o.seed);
  const logger = pino({ level: process.env.CHAOS_LOG_LEVEL ?? "silent" });
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const redis = new Redis(redisUrl);
  const prefix = `chaos-approvals:${randomBytes(4).toString("hex")}:`;
  const sim = await startInforSim({
    port: 0,
    seed: o.seed,
    data: {
      suppliersPerCompany: 25,
      purchaseOrders: 60,
      invoices: o.invoices + 400,
      manualVouchers: 5,
    },
  });
  const emu = await startSlackEmu({
    ...(o.tiersScale ? { timeScale: o.tiersScale } : {}),
    limits: {
      // Posts are delivery's (paced by its own pacer, covered by delivery's chaos).
      postMessagePerChannel: { ratePerSecond: 100_000, burst: 100_000 },
      postMessageWorkspace: { ratePerSecond: 100_000, burst: 100_000 },
      // Without --tiers, no method tiers: pacing is not under test.
      ...(o.tiersScale ? {} : { methodTiers: {} }),
    },
  });
  const auditLog = new AuditLog({ redis, prefix });
  const store = createApprovalStore({
    redis,
    prefix,
    prepareAudit: (e) => auditLog.prepare(auditInputOf(e)),
  });
  // Every Slack caller's clock (the Bolt workers, the reflector, delivery): --tiers S, else one
  // fast enough that pacing stays out of the measurement (delivery.ts).
  const timeScale = o.tiersScale ?? UNPACED_SCALE;
  const say = (text: string) =>
    process.stderr.write(
      `[approvals chaos ${Math.round((Date.now() - started) / 1000)} s] ${text}\n`,
    );
  const workerEnv = {
    ...process.env,
    REDIS_URL: redisUrl,
    CHAOS_PREFIX: prefix,
    CHAOS_IONAPI: JSON.stringify(sim.ionapi),
    CHAOS_SIGNING_SECRET: emu.signingSecret,
    CHAOS_BOT_TOKEN: emu.botToken,
    CHAOS_SLACK_URL: emu.url,
    CHAOS_TIME_SCALE: String(timeScale),
  };
  // Delivery's worker (the product's worker role) in a process of its own: it posts the
  // approval messages below, then runs the refreshes and thread notices of the whole run.
  const deliveryWorker = await spawnReady("bench/chaos/approvals/delivery-worker.ts", workerEnv);
  // The driver enqueues as the sync side does (its delivery starts no worker).
  const delivery = chaosDelivery({
    redis,
    prefix,
    auditLog,
    store,
    botToken: emu.botToken,
    slackUrl: emu.url,
    timeScale,
    logger,
  });

  // 1. Invoices needing approval: self-billing batches, printed (APS450MI route).
  const data = sim.control.data();
  const invoices = data.invoices.filter((i) => !i.payment).slice(0, o.invoices);
  if (invoices.length < o.invoices)
    throw new Error(`the simulator generated only ${invoices.length} invoices`);
  for (const inv of invoices) {
    inv.ibtp = "10";
    inv.supa = "30";
  }
  data.version++;
  const byInbn = new Map<
    number,
    {
      approvalId: string;
      ts: string;
      m3: boolean;
      m3At?: number | undefined;
      /** When the message in Slack first showed the decision taken in M3 (the emulator's edit). */
      shownAt?: number | undefined;
    }
  >();
  // Each invoice read as the product reads it (the M3 source: FAPIBH and its lines, mapped) and
  // posted by delivery as an alert asking for a decision: the approval first (its id is the
  // buttons' value), then the alert naming it; delivery attaches the approval to the message it
  // posted (test/slack/decision-stamps.e2e.test.ts composes it the same way).
  const ion = createInforClient({
    credentials: parseIonapi(JSON.stringify(sim.ionapi)),
    requestsPerMinute: 100_000,
  });
  const sources = new Map<string, InforSource>();
  const sourceOf = (cono: number, divi: string) => {
    const key = `${cono}:${divi}`;
    let src = sources.get(key);
    if (!src) {
      const mi = new MiClient({ http: ion.http, company: String(cono), division: divi });
      src = createM3Source(mi, { tenant: sim.tenant, company: String(cono), division: divi });
      sources.set(key, src);
    }
    return src;
  };
  const audit = slackAuditToLog(auditLog);
  const seeded = new Map<number, { approvalId: string; m3: boolean }>();
  let nextSeed = 0;
  const seeders = Array.from({ length: 8 }, async () => {
    for (let i = nextSeed++; i < invoices.length; i = nextSeed++) {
      const inv = invoices[i] as (typeof invoices)[number];
      const read = await sourceOf(inv.cono, inv.divi).getInvoiceBatch?.(String(inv.inbn));
      const record = read?.records[0] as SupplierInvoice | undefined;
      if (!record) throw new Error(`batch ${inv.inbn} not read back from the simulator`);
      const approval = await createPendingApproval(
        { store, audit },
        {
          alertId: `chaos-${inv.inbn}`,
          recordKey: recordKey(record),
          kind: "invoice",
          title: `Invoice ${record.invoiceNumber} (batch ${inv.inbn})`,
          amount: record.total,
          costCenter: record.costCenter ?? "100",
          tenant: record.tenant,
          company: record.company,
          recordVersion: "v1",
        },
      );
      await delivery.enqueue(
        createAlert({
          kind: "record.new",
          channel: CHANNEL,
          record,
          needsDecision: { approvalId: approval.id },
        }),
      );
      seeded.set(inv.inbn, { approvalId: approval.id, m3: false });
    }
  });
  await Promise.all(seeders);
  await ion.close();
  // Seeded in parallel, drawn in invoice order: the same seed gives the same M3 share.
  for (const inv of invoices) {
    const e = seeded.get(inv.inbn);
    if (e) e.m3 = random() < o.m3Share;
  }
  say(`${o.invoices} approvals enqueued`);
  // The clicks start once every message is in Slack with its approval attached to it.
  const waitingFor = new Map(seeded);
  const seedUntil = Date.now() + 600_000;
  while (waitingFor.size > 0) {
    if (Date.now() > seedUntil)
      throw new Error(`${waitingFor.size} approval messages not delivered within 10 minutes`);
    for (const [inbn, e] of waitingFor) {
      const ts = (await store.get(e.approvalId))?.ts;
      if (!ts) continue;
      byInbn.set(inbn, { ...e, ts });
      waitingFor.delete(inbn);
    }
    if (waitingFor.size > 0) await sleep(200);
  }
  const seededInMs = Date.now() - started;
  say(`${o.invoices} approvals posted by delivery`);
  // When each message first shows a decision taken in M3: the emulator's own edit event, fired
  // as it applies the chat.update (the reflection's rewrite or delivery's refresh), i.e. what an
  // approver sees, not when the edit was asked for.
  const entryByTs = new Map([...byInbn.values()].map((e) => [e.ts, e]));
  const unsubscribe = emu.inspect.subscribe((ev) => {
    if (ev.type !== "message_changed" || ev.channel !== CHANNEL) return;
    const e = entryByTs.get(ev.message.ts);
    if (!e || e.m3At === undefined || e.shownAt !== undefined) return;
    if (showsM3Decision(JSON.stringify(ev.message.blocks ?? []))) e.shownAt = Date.now();
  });

  // 2. Workers behind a small round-robin proxy (Slack has one request URL).
  const ports: (number | undefined)[] = new Array(o.workers).fill(undefined);
  const procs: (ChildProcess | undefined)[] = new Array(o.workers).fill(undefined);
  const startWorker = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ["bench/chaos/approvals/worker.ts"], {
        env: workerEnv,
        stdio: ["ignore", "pipe", "inherit"],
      });
      procs[n] = child;
      child.stdout?.on("data", (chunk: Buffer) => {
        const m = /READY (\d+)/.exec(chunk.toString());
        if (m) {
          ports[n] = Number(m[1]);
          resolve();
        }
      });
      child.once("exit", () => {
        ports[n] = undefined;
      });
      child.once("error", reject);
    });
  await Promise.all(ports.map((_, n) => startWorker(n)));
  let rr = 0;
  const proxy = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const live = ports.filter((p): p is number => p !== undefined);
    const port = live[rr++ % Math.max(1, live.length)];
    if (port === undefined) {
      res.writeHead(502).end();
      return;
    }
    try {
      const up = await fetch(`http://127.0.0.1:${port}${req.url ?? "/"}`, {
        method: "POST",
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks),
      });
      const body = Buffer.from(await up.arrayBuffer());
      res.writeHead(up.status, { "content-type": up.headers.get("content-type") ?? "text/plain" });
      res.end(body);
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
  emu.platform.setRequestUrl(
    `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/slack/events`,
  );

  // 3. Reflection: the scheduler's loops in a process of their own (reflector.ts), fed by the
  // simulator's M3 events; in the driver they would measure the driver's event loop.
  let reflector: ChildProcess | undefined;
  const pushSecret = randomBytes(24).toString("hex");
  const reflectorPort = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, ["bench/chaos/approvals/reflector.ts"], {
      env: {
        ...workerEnv,
        CHAOS_TENANT: sim.tenant,
        CHAOS_POLL_MS: String(o.pollMs),
        CHAOS_INVOICES: String(o.invoices),
        CHAOS_PUSH_SECRET: pushSecret,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    reflector = child;
    child.stdout?.on("data", (chunk: Buffer) => {
      const m = /READY (\d+)/.exec(chunk.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once("error", reject);
  });
  sim.control.configureEvents({
    url: `http://127.0.0.1:${reflectorPort}/m3/events`,
    hmacSecret: pushSecret,
  });
  const stopReflector = () =>
    new Promise<void>((resolve) => {
      if (!reflector || reflector.exitCode !== null) return resolve();
      reflector.once("exit", () => resolve());
      reflector.kill("SIGTERM");
    });

  // 4. Chaos: lost answers, decisions in M3, clicks in Slack, SIGKILLs.
  sim.control.approvals.configure({ dropRate: o.dropRate });
  const entries = [...byInbn.entries()];
  const m3Count = entries.filter(([, e]) => e.m3).length;
  const m3Gap = o.m3OverMs ? (2 * o.m3OverMs) / Math.max(1, m3Count) : 3;
  const invoiceOf = new Map(invoices.map((i) => [i.inbn, i]));
  const m3Decisions = (async () => {
    for (const [inbn, e] of entries) {
      if (!e.m3) continue;
      await sleep(random() * m3Gap);
      // A person in M3 sees a batch Slack already decided (status no longer 30) and leaves it;
      // the simulator itself would let M3 decide it again.
      if (invoiceOf.get(inbn)?.supa !== "30") continue;
      try {
        e.m3At = Date.now();
        sim.control.approvals.decideInM3({
          inbn,
          verb: random() < 0.8 ? "approve" : "reject",
          user: `M3U${Math.floor(random() * 9)}`,
          reason: "decided in M3",
        });
      } catch {
        // Already decided through Slack: M3 decides once, as a person in M3 would see it.
        e.m3At = undefined;
      }
    }
  })();
  const clickOnce = async (inbn: number, e: { approvalId: string; ts: string }, stale = false) => {
    const a = await store.get(e.approvalId);
    const open = a && (a.state === "pending" || a.state === "hold" || a.state === "escalated");
    if (!open && !stale) return true;
    const user = USERS[Math.floor(random() * USERS.length)] ?? "U0APPR0001";
    const reject = inbn % 10 === 0 && open;
    const r = await emu.platform
      .blockAction({
        userId: user,
        channelId: CHANNEL,
        messageTs: e.ts,
        action: { action_id: reject ? "approval.reject" : "approval.approve" },
      })
      .catch(() => undefined);
    if (r?.status !== 200) return false;
    if (reject) {
      const modal = await waitFor(() =>
        emu.inspect
          .views({ type: "modal", user })
          .find((v) => v.private_metadata.includes(e.approvalId)),
      );
      if (!modal) return false;
      const sub = await emu.platform
        .viewSubmission({
          userId: user,
          viewId: modal.id,
          values: { reason: { reason_input: { type: "plain_text_input", value: "Not agreed" } } },
        })
        .catch(() => undefined);
      if (sub?.status !== 200) return false;
    }
    return true;
  };
  const slackSide = entries.filter(([, e]) => !e.m3 || random() < 0.05);
  let next = 0;
  const clickers = Array.from({ length: 8 }, async () => {
    for (let i = next++; i < slackSide.length; i = next++) {
      const [inbn, e] = slackSide[i] as (typeof slackSide)[number];
      await clickOnce(inbn, e);
    }
  });
  const killer = (async () => {
    for (let k = 0; k < o.kills; k++) {
      await sleep(2000 + random() * 6000);
      const n = Math.floor(random() * o.workers);
      procs[n]?.kill("SIGKILL");
      ports[n] = undefined;
      await sleep(300 + random() * 1200);
      await startWorker(n);
    }
  })();
  await Promise.all([m3Decisions, ...clickers, killer]);

  say("clicks, decisions in M3 and kills done");
  // 5. People click again on messages that still show buttons (their click died with a worker).
  for (let round = 0; round < 5; round++) {
    await sleep(o.pollMs * 2);
    let clicked = 0;
    // One read of the channel per round (inspect copies every message on each call).
    const byTs = new Map(emu.inspect.messages(CHANNEL).map((m) => [m.ts, m]));
    for (const [inbn, e] of entries) {
      // What a person sees: buttons still on the message (a stale one is repaired by the click).
      const shown = JSON.stringify(byTs.get(e.ts)?.blocks ?? []);
      if (!shown.includes("approval.approve")) continue;
      const a = await store.get(e.approvalId);
      if (e.m3 && a && a.state === "pending") continue; // left to M3 and the reflection poll
      clicked++;
      await clickOnce(inbn, e, true);
    }
    say(`re-click round ${round + 1}: ${clicked} messages still showed buttons`);
    if (clicked === 0) break;
  }
  await sleep(o.pollMs * 2);
  await stopReflector();
  // The refreshes and notices still queued run before the final state is read: the comparison
  // is of the state the system settles in, and a refresh still waiting is not a divergence yet.
  const drainFrom = Date.now();
  let left = await queuedIn(delivery);
  while (left > 0 && Date.now() - drainFrom < 120_000) {
    await sleep(200);
    left = await queuedIn(delivery);
  }
  const deliveryDrainMs = Date.now() - drainFrom;
  unsubscribe();
  const lags: number[] = [];
  const stages = {
    decisionToMarked: [] as number[],
    markedToTaken: [] as number[],
    takenToEdit: [] as number[],
    editCall: [] as number[],
    renderCall: [] as number[],
    refreshCall: [] as number[],
    noticeCall: [] as number[],
    editToShown: [] as number[],
  };
  // How the reflection's edit went: delivery rendered the message now and it was written at
  // once (`render`); else delivery took the refresh (its chat.update showed the decision); else
  // the stamp was rewritten from Slack's copy at once (`rewrite`).
  const editBy = { render: 0, refresh: 0, rewrite: 0 };
  const via = { consumer: 0, poll: 0 };
  const edited = new Map<string, number>();
  const entryOf = (key: string) => byInbn.get(Number(key.split(":").pop()));
  for (const t of await redis.lrange(`${prefix}chaos-reflected`, 0, -1)) {
    const r = JSON.parse(t) as ReflectedRow;
    const e = entryOf(r.recordKey);
    const at = e?.m3At;
    if (r.kind !== "decided_in_erp" || at === undefined) continue;
    edited.set(r.recordKey, (edited.get(r.recordKey) ?? 0) + 1);
    if ((edited.get(r.recordKey) ?? 0) > 1) continue;
    via[r.via]++;
    if (r.markedAt !== undefined) stages.decisionToMarked.push(r.markedAt - at);
    if (r.via === "consumer" && r.markedAt !== undefined && r.takenAt !== undefined)
      stages.markedToTaken.push(r.takenAt - r.markedAt);
    if (r.via === "consumer" && r.takenAt !== undefined)
      stages.takenToEdit.push(r.editAt - r.takenAt);
    stages.editCall.push(r.at - r.editAt);
    if (r.renderMs !== undefined) stages.renderCall.push(r.renderMs);
    if (r.refreshMs !== undefined) stages.refreshCall.push(r.refreshMs);
    if (r.noticeMs !== undefined) stages.noticeCall.push(r.noticeMs);
    if (e?.shownAt !== undefined) {
      stages.editToShown.push(e.shownAt - r.editAt);
      editBy[r.rendered ? "render" : r.refreshQueued ? "refresh" : "rewrite"]++;
    }
  }
  // The lag: from the decision in M3 until the message in Slack showed it, whichever edit did
  // (the reflection's, delivery's refresh, or a click that found it decided in M3 already).
  let notShown = 0;
  for (const e of byInbn.values()) {
    if (e.m3At === undefined) continue;
    if (e.shownAt === undefined) notShown++;
    else lags.push(e.shownAt - e.m3At);
  }
  const passes = (await redis.lrange(`${prefix}chaos-passes`, 0, -1)).map(Number);

  // 6. Compare Slack message, audit log and the simulator.
  const auditRows = (await auditLog.query({ limit: 1_000_000 })).map((e) => {
    const d = (e.data ?? {}) as { approvalId?: string; state?: string; code?: string };
    return { type: e.type as string, approvalId: d.approvalId, state: d.state, code: d.code };
  });
  const snap = sim.control.approvals.snapshot(undefined, [...byInbn.keys()]);
  const auditBy = new Map<string, typeof auditRows>();
  for (const r of auditRows) {
    if (!r.approvalId) continue;
    auditBy.set(r.approvalId, [...(auditBy.get(r.approvalId) ?? []), r]);
  }
  const simBy = new Map<number, typeof snap.decisions>();
  for (const d of snap.decisions) simBy.set(d.inbn, [...(simBy.get(d.inbn) ?? []), d]);
  const report = {
    invoices: o.invoices,
    decidedInM3: 0,
    decidedInSlack: 0,
    stillPending: 0,
    divergences: 0,
    doubleDecisions: 0,
    /** Approvals with more than one closing audit entry (approval.decided or .superseded). */
    auditDuplicates: 0,
    auditDuplicated: [] as string[],
    divergent: [] as string[],
    /**
     * Decision taken in M3 until the message in Slack showed it (the emulator applied the
     * chat.update whose blocks say "in the ERP", without buttons). `notShown`: decisions taken
     * in M3 whose message never showed them (each is also a divergence).
     */
    reflectionLagMs: {
      p50: pct(lags, 0.5),
      p95: pct(lags, 0.95),
      max: Math.max(0, ...lags),
      n: lags.length,
      notShown,
    },
    /**
     * Where the lag went, per decision reflected (ms, p50/p95): the simulator's event to the
     * push endpoint marking it due; due to taken by the consumer; taken to the edit's start
     * (the record's approvals, the M3 read, the transition); `editCall`: the reflection's edit
     * call (its immediate write if any, the refresh and the notice queued), of which
     * `renderCall` delivery rendering the message now, `refreshCall` asking delivery for the
     * refresh and `noticeCall` queueing the thread notice;
     * `editToShown`: the edit's start until Slack showed the decision (with a refresh: until
     * delivery's chat.update applied it). `via`: which loop made the edit (the consumer or the
     * poll); `editBy`: whether the reflection wrote delivery's render of the message at once,
     * left it to delivery's refresh, or rewrote Slack's copy.
     */
    stagesMs: Object.fromEntries(
      Object.entries(stages).map(([k, xs]) => [
        k,
        { p50: pct(xs, 0.5), p95: pct(xs, 0.95), n: xs.length },
      ]),
    ),
    via,
    editBy,
    /** Decisions taken in M3 whose message the reflection edited more than once. */
    editedTwice: [...edited.values()].filter((n) => n > 1).length,
    pollMs: o.pollMs,
    /** `--tiers S`: Slack's method tiers enforced and paced on a clock S times faster. */
    slackTiers: o.tiersScale ? `on, time scale ${o.tiersScale}` : "off",
    /** The emulator's 429s by method (with --tiers: where the pacing did not hold). */
    slackRateLimited: emu.inspect.rateLimited().byMethod,
    /**
     * First to last decision taken in M3 (ms): without --m3-over the simulator decides its share
     * back to back (0-3 ms apart), so the reflection meets them as one burst at the start.
     */
    m3DecisionSpanMs: m3Span(byInbn),
    /** One reflection pass over the open approvals (it reads M3 once per open invoice). */
    passMs: { p50: pct(passes, 0.5), p95: pct(passes, 0.95), n: passes.length },
    /**
     * Delivery (its own worker process): what it posted, edited and refreshed, its 429s and
     * dead letters; the seeding (all approval messages posted and attached) and the wait for
     * its queue to empty after the reflector stopped, ms; `left`: jobs still queued then.
     */
    delivery: {
      ...(await delivery.stats()),
      seededInMs,
      drainMs: deliveryDrainMs,
      left,
    },
    kills: o.kills,
    lostAnswers: sim.control.log().filter((e) => e.fault === "answer_lost").length,
    elapsedS: 0,
    /** 1/5/15-minute load averages at the start and the end (the machine is shared). */
    load: { start: loadAtStart, end: "" },
  };
  const finalByTs = new Map(emu.inspect.messages(CHANNEL).map((m) => [m.ts, m]));
  for (const [inbn, e] of byInbn) {
    const decisions = simBy.get(inbn) ?? [];
    if (decisions.length > 1) report.doubleDecisions++;
    const closing = (auditBy.get(e.approvalId) ?? []).filter(
      (r) => r.type === "approval.decided" || r.type === "approval.superseded",
    );
    if (closing.length > 1) {
      report.auditDuplicates++;
      if (report.auditDuplicated.length < 10)
        report.auditDuplicated.push(
          `${inbn}: ${closing.map((r) => `${r.type}/${r.code ?? r.state}`).join(", ")}`,
        );
    }
    const m3 = decisions[0];
    const supa = snap.invoices[String(inbn)]?.supa ?? "";
    const a = await store.get(e.approvalId);
    const text = JSON.stringify(finalByTs.get(e.ts)?.blocks ?? []);
    const audited = auditBy.get(e.approvalId) ?? [];
    const want = !m3
      ? "pending"
      : m3.via === "m3"
        ? "superseded"
        : m3.verb === "reject"
          ? "rejected"
          : "approved";
    if (want === "pending") report.stillPending++;
    else if (want === "superseded") report.decidedInM3++;
    else report.decidedInSlack++;
    const slackOk =
      want === "approved"
        ? text.includes("Approved") && !text.includes("approval.approve")
        : want === "rejected"
          ? text.includes("Rejected") && !text.includes("approval.approve")
          : want === "superseded"
            ? showsM3Decision(text)
            : text.includes("approval.approve");
    const auditOk =
      want === "superseded"
        ? audited.some((r) => r.type === "approval.superseded")
        : want === "pending"
          ? !audited.some((r) => r.type === "approval.decided")
          : audited.filter((r) => r.type === "approval.decided" && r.state === want).length === 1;
    const supaOk = want === "approved" ? supa === "50" : want === "rejected" ? supa === "40" : true;
    if (a?.state !== want || !slackOk || !auditOk || !supaOk) {
      report.divergences++;
      if (report.divergent.length < 20)
        report.divergent.push(
          `${inbn}: sim=${want}/${supa} store=${a?.state} slack=${slackOk} audit=${auditOk}`,
        );
    }
  }
  report.elapsedS = Math.round((Date.now() - started) / 100) / 10;
  report.load.end = load();

  for (const p of procs) p?.kill("SIGKILL");
  await stopChild(deliveryWorker);
  await delivery.close();
  await new Promise<void>((r) => proxy.close(() => r()));
  proxy.closeAllConnections();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await emu.close();
  await sim.close();
  if (o.out) await writeFile(o.out, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** The message's blocks (JSON) show a decision taken in the ERP, and no buttons any more. */
function showsM3Decision(blocks: string): boolean {
  return blocks.includes("in the ERP") && !blocks.includes("approval.approve");
}

/** Jobs delivery still has to run (posts, edits, refreshes, notices). */
async function queuedIn(delivery: Delivery): Promise<number> {
  const s = await delivery.stats();
  return s.waiting + s.delayed + s.active;
}

/** A child process of the variant that prints `READY` once it serves. */
function spawnReady(script: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, stdio: ["ignore", "pipe", "inherit"] });
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("READY")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}) before READY`)));
    child.once("error", reject);
  });
}

/** SIGTERM, then wait for the exit (SIGKILL after 10 s). */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** One edit the reflector made (reflector.ts), with its stage timestamps (epoch ms). */
interface ReflectedRow {
  recordKey: string;
  kind: string;
  at: number;
  via: "consumer" | "poll";
  markedAt?: number;
  takenAt?: number;
  editAt: number;
  /** Of the edit call: asking delivery for the refresh, queueing the thread notice (ms). */
  renderMs?: number;
  refreshMs?: number;
  noticeMs?: number;
  /** Delivery rendered the message now (written at once). */
  rendered?: boolean;
  /** Delivery took the refresh (false: declined, or nothing left to do). */
  refreshQueued?: boolean;
}

function m3Span(byInbn: Map<number, { m3At?: number | undefined }>): number {
  const at = [...byInbn.values()].flatMap((e) => (e.m3At === undefined ? [] : [e.m3At]));
  return at.length ? Math.max(...at) - Math.min(...at) : 0;
}

async function waitFor<T>(probe: () => T | undefined, ms = 3000): Promise<T | undefined> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const v = probe();
    if (v !== undefined) return v;
    await sleep(20);
  }
  return undefined;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
}
