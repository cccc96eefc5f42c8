import { randomBytes } from "node:crypto";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CHANNELS, demoRoutingYaml } from "../../sandbox/demo/routing.ts";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import { startApp } from "../../src/app/start.ts";
import type { AppHandle } from "../../src/app/types.ts";
import { formatProblem, parseRouting } from "../../src/config/routing-load.ts";
import type { RoutingConfig } from "../../src/config/routing-schema.ts";
import { schedulesFromRouting } from "../../src/sync/from-routing.ts";
import { pollKeyId } from "../../src/sync/keys.ts";
import { scheduleKey, syncScheduleSchema } from "../../src/sync/schedule.ts";
import { POLL_JOB_NAME } from "../../src/sync/schedules.ts";
import { eventually, REDIS_URL, stackEnv } from "./helpers.ts";

/**
 * Push from M3 end to end: the simulator's Event Subscriber web service POSTs database events to
 * the app's /m3/events; the app reads that one record through the poll's change detection and
 * the Slack emulator gets the message long before the next poll (polls here run hourly, and
 * only when the test fires one). The poll that follows finds the same content and posts
 * nothing more; events the simulator drops are caught by that poll.
 */
const TOKEN = randomBytes(16).toString("hex");
const CHANNELS = Object.values(DEMO_CHANNELS);

let sim: InforSim;
let emu: SlackEmu;
let app: AppHandle;
let redis: Redis;
let queue: Queue;
let events: QueueEvents;
let prefix: string;
let routing: RoutingConfig;
let supplier = "";

const text = (v: unknown) => JSON.stringify(v ?? "");

function messagesAbout(sino: string) {
  return CHANNELS.flatMap((c) => emu.inspect.messages(c)).filter((m) => text(m).includes(sino));
}

function alertIds(sino: string): string[] {
  return messagesAbout(sino).map((m) =>
    String(
      (m.metadata as { event_payload?: { alert_id?: string } } | undefined)?.event_payload
        ?.alert_id,
    ),
  );
}

/**
 * Nothing left that could still post: no sync job (poll or push read) waiting, delayed or
 * running, and no alert unfinished in delivery (its `pending` set). Then the messages about a
 * record are final: a condition, not a quiet period that a busy machine can outlast.
 */
async function drained(): Promise<boolean> {
  const counts = await queue.getJobCounts("active", "waiting", "prioritized");
  if (Object.values(counts).some((n) => n > 0)) return false;
  // The schedulers' next polls (every hour here) always wait in "delayed"; a read retried after
  // a busy lock waits there too, and that one counts.
  const delayed = await queue.getJobs(["delayed"]);
  if (delayed.some((j) => !j.repeatJobKey)) return false;
  return (await redis.zcard(`${prefix}dlv:pending`)) === 0;
}

/** The alert ids of the messages about `sino`, once everything queued has been delivered. */
async function settled(sino: string): Promise<string[]> {
  await eventually(drained, 60_000, "sync and delivery queues drained");
  return alertIds(sino);
}

async function poll(entity: "supplier_invoice" | "purchase_order"): Promise<void> {
  const schedule = schedulesFromRouting(routing, { pageSize: 200 })
    .map((s) => syncScheduleSchema.parse(s))
    .find((s) => s.entity === entity);
  if (!schedule) throw new Error(`no ${entity} schedule`);
  const wm = `${prefix}sync:wm:${pollKeyId(scheduleKey(schedule))}`;
  // A poll already running (the scheduler's first firing) makes ours skip: fire until one ran.
  for (let i = 0; i < 20; i++) {
    const job = await queue.add(
      POLL_JOB_NAME,
      { schedule },
      { jobId: `test-${randomBytes(4).toString("hex")}` },
    );
    const result = (await job.waitUntilFinished(events, 30_000)) as { status: string };
    if (result.status !== "skipped_busy" && (await redis.exists(wm)) === 1) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the ${entity} poll never ran`);
}

const COST_CENTERS = ["CC100", "CC200", "CC300"];
let made = 0;

/** A new invoice; cost centers rotate so the channels' 1 message/s pacing does not queue them. */
function invoice(sino: string): number {
  const inv = sim.control.upsert(
    "invoice",
    { SUNO: supplier, SINO: sino, CUAM: "120.00", AIT2: COST_CENTERS[made++ % 3] as string },
    sim.tenant,
  ) as { inbn: number };
  return inv.inbn;
}

beforeAll(async () => {
  prefix = `test:push-e2e:${randomBytes(4).toString("hex")}:`;
  sim = await startInforSim({
    port: 0,
    seed: 7,
    data: { suppliersPerCompany: 4, purchaseOrders: 6, invoices: 8, manualVouchers: 2 },
  });
  supplier = sim.control.data(sim.tenant).suppliers.find((s) => s.cono === 100)?.suno ?? "";
  const signingSecret = randomBytes(16).toString("hex");
  emu = await startSlackEmu({ port: 0, signingSecret });
  const yaml = demoRoutingYaml({ tenant: sim.tenant, since: "2026-01-01" })
    .replace(/firstRun:\n\s+mode: since\n\s+since: [\d-]+\n/, "firstRun:\n  mode: now\n")
    .replaceAll("{ every: 10s }", "{ every: 1h }");
  const parsed = parseRouting(yaml, "push-e2e-routing.yml");
  if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join("\n"));
  routing = parsed.config;
  const env = stackEnv(sim, emu, signingSecret);
  app = await startApp({
    env,
    routing,
    roles: ["all"],
    logger: pino({ level: process.env.E2E_LOG ?? "silent" }),
    overrides: {
      prefix,
      port: 0,
      botId: "B0EMUBOT01",
      botUserId: "U0BOT00001",
      shutdownDeadlineMs: 10_000,
      push: { bearerTokens: [TOKEN] },
    },
  });
  emu.control.setAppRequestUrl(app.slackRequestUrl ?? "");
  redis = new Redis(REDIS_URL);
  queue = new Queue("sync-polls", { connection: redis, prefix: `${prefix}bull` });
  events = new QueueEvents("sync-polls", {
    connection: redis.duplicate({ maxRetriesPerRequest: null }),
    prefix: `${prefix}bull`,
  });
  await events.waitUntilReady();
  // First runs prime quietly: what the simulator holds now is known, nothing is posted.
  await poll("supplier_invoice");
  await poll("purchase_order");
  sim.control.configureEvents({ url: `${app.url}/m3/events`, bearerToken: TOKEN });
}, 90_000);

afterAll(async () => {
  sim?.control.configureEvents({ url: "" });
  await events?.close();
  await queue?.close();
  await app?.close();
  await emu?.close();
  await sim?.close();
  if (redis) {
    await deleteByPrefix(redis, prefix);
    await redis.quit();
  }
}, 30_000);

describe("M3 event → one Slack message", () => {
  it("posts from the event, and the poll of the same record posts nothing more", async () => {
    const started = Date.now();
    invoice("PUSH-ONE-1");
    await eventually(() => messagesAbout("PUSH-ONE-1").length > 0, 15_000, "the pushed message");
    const latency = Date.now() - started;
    expect(sim.control.eventCounters().emitted).toBeGreaterThanOrEqual(1);
    // Far below the hourly poll: only the event can have brought it.
    expect(latency).toBeLessThan(15_000);
    const before = await settled("PUSH-ONE-1");
    expect(new Set(before).size).toBe(before.length);

    await poll("supplier_invoice");
    expect(await settled("PUSH-ONE-1")).toEqual(before);
  }, 60_000);

  it("with 10 % of events dropped, the next poll catches every one: 0 lost, 0 twice", async () => {
    sim.control.configureEvents({
      url: `${app.url}/m3/events`,
      bearerToken: TOKEN,
      dropEventShare: 0.1,
      seed: 3, // drops 2 of these 10 events
    });
    const sinos = Array.from({ length: 10 }, (_, i) => `PUSH-DROP-${i + 1}`);
    const inbns = new Map(sinos.map((s) => [s, invoice(s)]));
    const counters = sim.control.eventCounters();
    expect(counters.emitted + counters.dropped).toBe(10);
    expect(counters.dropped).toBeGreaterThanOrEqual(1);
    const dropped = sinos.filter((s) =>
      counters.droppedKeys.some((k) => k.includes(`"INBN":"${inbns.get(s)}"`)),
    );
    expect(dropped).toHaveLength(counters.dropped);
    const pushed = sinos.filter((s) => !dropped.includes(s));
    await eventually(
      () => pushed.every((s) => messagesAbout(s).length > 0),
      60_000,
      "messages of every delivered event",
    );
    // A dropped event brought nothing: only the poll can.
    for (const s of dropped) expect(messagesAbout(s)).toHaveLength(0);

    await poll("supplier_invoice");
    await eventually(
      () => sinos.every((s) => messagesAbout(s).length > 0),
      60_000,
      "messages of the dropped events, from the poll",
    );
    await eventually(drained, 60_000, "sync and delivery queues drained");
    for (const s of sinos) {
      const ids = alertIds(s);
      expect(ids.length, s).toBeGreaterThan(0);
      expect(new Set(ids).size, s).toBe(ids.length);
    }
  }, 180_000);
});
