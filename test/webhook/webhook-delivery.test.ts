import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import { createRng } from "../../sandbox/support/random.ts";
import { type Receiver, startReceiver } from "../../sandbox/webhook-receiver/server.ts";
import { createDelivery, type Delivery } from "../../src/delivery/delivery.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { webhookDestination, webhookTarget } from "../../src/webhook/destination.ts";
import { paymentAlert, startEmu, waitFor } from "../delivery/emu.ts";
import { cleanup, connect, uniquePrefix } from "../delivery/helpers.ts";

const SECRET = "whsec_integration_5b2e0c";
const FIN = "C0FINANCE1";
const ERP = webhookTarget("erp");
const SCALE = 20;
let redis: RedisClient;
let emu: SlackEmu;
const prefixes: string[] = [];
const open: Delivery[] = [];
const receivers: Receiver[] = [];

beforeAll(async () => {
  redis = connect();
  emu = await startEmu(SCALE);
});
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
  for (const r of receivers.splice(0)) await r.close();
  emu.inspect.reset();
});
afterAll(async () => {
  for (const p of prefixes) await cleanup(redis, p);
  await redis.quit();
  await emu.close();
});

/** A receiver whose faults are drawn from a seeded generator, or from `random` as given. */
async function receiver(seed: number | (() => number), faults = {}): Promise<Receiver> {
  const random = typeof seed === "number" ? createRng(seed).next : seed;
  const r = await startReceiver({ secrets: [SECRET], faults, random });
  receivers.push(r);
  return r;
}

function webhookOnly(
  r: Receiver,
  o: { lookup?: boolean; secret?: string; logger?: pino.Logger; graceMs?: number } = {},
): Delivery {
  const prefix = uniquePrefix("webhook");
  prefixes.push(prefix);
  const d = createDelivery({
    connection: redis,
    prefix,
    destinations: [
      webhookDestination({
        name: "erp",
        url: r.url,
        secret: o.secret ?? SECRET,
        ...(o.lookup ? { lookupUrl: r.lookupUrl } : {}),
        timeoutMs: 1000,
        perSecond: 50,
      }),
    ],
    config: {
      retryDelayMs: 20,
      attempts: 8,
      requestTimeoutMs: 1000,
      ambiguousGraceMs: o.graceMs ?? 100,
    },
    ...(o.logger ? { logger: o.logger } : {}),
  });
  open.push(d);
  return d;
}

async function drained(d: Delivery): Promise<void> {
  await waitFor("queue drained", async () => {
    const s = await d.stats();
    return s.waiting + s.delayed + s.active === 0 && s.oldestAgeMs === 0;
  });
}

/** `n` alerts received, none of them twice. */
function expectEachOnce(r: Receiver, n: number): void {
  const counts = perId(r);
  expect(counts.size).toBe(n);
  expect([...counts.values()].filter((x) => x > 1)).toEqual([]);
}

function perId(r: Receiver): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of r.receipts()) m.set(x.id, (m.get(x.id) ?? 0) + 1);
  return m;
}

describe("signed webhook destination", () => {
  it("mirrors a Slack route's alerts: one signed delivery each, Slack unchanged; again and replay add none", async () => {
    const r = await receiver(1);
    const prefix = uniquePrefix("webhook-mirror");
    prefixes.push(prefix);
    const d = createSlackDelivery({
      connection: redis,
      prefix,
      slack: { token: emu.botToken, slackApiUrl: emu.url },
      others: [webhookDestination({ name: "erp", url: r.url, secret: SECRET, perSecond: 50 })],
      mirrors: (a) => (a.channel === FIN ? [ERP] : []),
      config: { timeScale: SCALE, retryDelayMs: 50, digests: { enabled: false } },
    });
    open.push(d);
    d.startWorker({ concurrency: 4 });
    const alerts = Array.from({ length: 8 }, (_, i) => paymentAlert(i, FIN));
    for (const a of alerts) await d.enqueue(a);
    await drained(d);
    expect(emu.inspect.messages(FIN)).toHaveLength(8);
    const got = r.receipts();
    expect(got).toHaveLength(8);
    expect(r.refused()).toBe(0);
    expect(new Set(got.map((x) => x.body.sourceAlertId))).toEqual(new Set(alerts.map((a) => a.id)));
    for (const x of got) expect(x.body.id).toBe(x.id);
    for (const a of alerts) await d.enqueue(a);
    await drained(d);
    const replay = await d.replay({ channel: ERP });
    expect(replay.requeued).toEqual([]);
    expect(replay.alreadyDelivered).toHaveLength(8);
    await drained(d);
    expect(r.receipts()).toHaveLength(8);
    expect(emu.inspect.messages(FIN)).toHaveLength(8);
  });

  it("with the look-up hook: 5xx, 429 and stored-then-dropped answers end in exactly one receipt each", async () => {
    const r = await receiver(7, { failRate: 0.2, throttleRate: 0.05, dropRate: 0.25 });
    const d = webhookOnly(r, { lookup: true });
    d.startWorker({ concurrency: 4 });
    const alerts = Array.from({ length: 20 }, (_, i) => paymentAlert(100 + i, ERP));
    for (const a of alerts) await d.enqueue(a);
    await drained(d);
    expectEachOnce(r, 20);
    const found = await d.audit.query({ channel: ERP });
    // The fault plan did drop stored deliveries: the look-up found them instead of sending again.
    expect(found.some((e) => e.type === "post.resolved" && e.data?.found === true)).toBe(true);
    expect((await d.stats()).deadLetters).toBe(0);
  });

  it("a dropped answer waits out its late-landing grace aside: the alerts behind it go meanwhile, then it is found, once", async () => {
    // The receiver stores the first delivery and drops its connection; every later one is answered.
    let draws = 0;
    const r = await receiver(() => (draws++ === 0 ? 0 : 0.99), { dropRate: 0.5 });
    const graceMs = 3000;
    const d = webhookOnly(r, { lookup: true, graceMs });
    d.startWorker({ concurrency: 4 });
    const alerts = Array.from({ length: 6 }, (_, i) => paymentAlert(300 + i, ERP));
    for (const a of alerts) await d.enqueue(a);
    await drained(d);
    expectEachOnce(r, 6);
    const receipts = r.receipts();
    const dropped = receipts[0];
    if (!dropped) throw new Error("no receipt");
    // Held at the head, the five behind it waited the whole grace and the look-up first.
    const others = receipts.slice(1).map((x) => x.at - dropped.at);
    expect(others).toHaveLength(5);
    expect(Math.max(...others)).toBeLessThan(graceMs);
    const entries = await d.audit.query({ channel: ERP });
    const resolved = entries.find((e) => e.type === "post.resolved");
    expect(resolved?.data?.found).toBe(true);
    // The grace itself still holds: the look-up ran only once the dropped send could not land.
    expect(Date.parse(resolved?.at ?? "") - dropped.at).toBeGreaterThanOrEqual(graceMs - 50);
    expect((await d.stats()).deadLetters).toBe(0);
  });

  it("without the hook: a dropped answer is sent again under the same Idempotency-Key, and the audit says so", async () => {
    const r = await receiver(11, { dropRate: 0.3 });
    const d = webhookOnly(r);
    d.startWorker({ concurrency: 4 });
    const alerts = Array.from({ length: 20 }, (_, i) => paymentAlert(200 + i, ERP));
    for (const a of alerts) await d.enqueue(a);
    await drained(d);
    const counts = perId(r);
    expect(counts.size).toBe(20);
    const repeats = [...counts.values()].reduce((s, n) => s + n - 1, 0);
    expect(repeats).toBeGreaterThan(0);
    const trail = await d.audit.query({ channel: ERP });
    const resent = trail.filter((e) => e.type === "post.resolved" && e.data?.resend === true);
    // Every repeat the receiver saw is one the engine announced (never a silent second send).
    expect(resent.length).toBe(repeats);
  });

  it("a refused signature is a dead letter with the status only: the secret is in no log, audit entry or dead letter", async () => {
    const r = await receiver(3);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const wrong = "whsec_wrong_91c4aa";
    const d = webhookOnly(r, { secret: wrong, logger: pino({ level: "trace" }, sink) });
    d.startWorker({ concurrency: 1 });
    const a = paymentAlert(300, ERP);
    await d.enqueue(a);
    await drained(d);
    expect(r.receipts()).toHaveLength(0);
    expect(r.refused()).toBe(1);
    const dead = await d.deadLetters();
    expect(dead.map((x) => [x.alertId, x.reason])).toEqual([[a.id, "http_401"]]);
    const everything = JSON.stringify([lines, await d.audit.query({ alertId: a.id }), dead]);
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(SECRET);
  });
});
