import { WebClient } from "@slack/web-api";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import { createAlert, threadReplyAlert } from "../../src/alerts/alert.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import { deliveryKeys } from "../../src/delivery/keys.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { countRoundTrips } from "../support/round-trips.ts";
import { loadChannel, payment, paymentAlert, startEmu, waitFor } from "./emu.ts";
import { cleanup, connect, uniquePrefix } from "./helpers.ts";

const SCALE = 20;
const FIN = "C0FINANCE1";
const OPS = "C0OPS00001";
let redis: RedisClient;
let emu: SlackEmu;
const prefixes: string[] = [];
const open: Delivery[] = [];

beforeAll(async () => {
  redis = connect();
  // One channel of its own for the warm-up (loadChannel(0)): its posts must land.
  emu = await startEmu(SCALE, 1);
});
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
  emu.inspect.reset();
});
afterAll(async () => {
  for (const p of prefixes) await cleanup(redis, p);
  await redis.quit();
  await emu.close();
});

function make(config: Record<string, unknown> = {}, prefix = uniquePrefix("delivery")): Delivery {
  prefixes.push(prefix);
  const d = createSlackDelivery({
    connection: redis,
    prefix,
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    config: {
      timeScale: SCALE,
      retryDelayMs: 50,
      requestTimeoutMs: 1000,
      // The emulator stores an ambiguous post before it drops or withholds the answer: nothing
      // lands late here (late-landing.test.ts covers that), so a short grace keeps the tests quick.
      ambiguousGraceMs: 200,
      opsChannel: OPS,
      digests: { enabled: false },
      ...config,
    },
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

/**
 * A delivery whose Redis node has run every script a post takes, ours and BullMQ's, so a count
 * of round trips sees the path and not a first NOSCRIPT answer (a fresh Cluster node has seen
 * none: a test's prefix is its own hash tag there).
 */
async function warmed(): Promise<Delivery> {
  const prefix = uniquePrefix("delivery");
  const warm = make({}, prefix);
  // Two posts that land, in one channel: the first exits with a successor to promote
  // (exit-post.lua), the second without (mark-delivered.lua); a group admits them
  // (enqueue-alerts.lua) behind an alert queued alone (enqueue-alert.lua).
  await warm.enqueue(paymentAlert(1, loadChannel(0)));
  await warm.enqueueMany([paymentAlert(2, loadChannel(0)), paymentAlert(3, loadChannel(0))]);
  warm.startWorker({ concurrency: 1 });
  await drained(warm);
  await warm.close();
  open.splice(open.indexOf(warm), 1);
  return make({}, prefix);
}

describe("delivery against the emulator", () => {
  it("queues an alert behind its channel's head in two round trips: the promotion check is not waited for", async () => {
    const d = await warmed();
    await d.enqueue(paymentAlert(73, FIN));
    const behind = paymentAlert(74, FIN);
    const trips = countRoundTrips(redis);
    try {
      await d.enqueue(behind);
      // Admitted (audit entry, line, pending) and its job added; the check whether the alert
      // ahead finished meanwhile is sent, its answer not awaited (a poll's page waited for it,
      // alert after alert).
      expect(trips.replies()).toBe(2);
      expect(trips.rounds()).toBe(3);
    } finally {
      trips.restore();
    }
    d.startWorker({ concurrency: 1 });
    await drained(d);
    expect(emu.inspect.messages(FIN)).toHaveLength(2);
  });

  it("enqueueMany queues a group in two round trips; each alert posted once, in order per channel", async () => {
    const d = await warmed();
    const ch2 = OPS;
    await d.enqueue(paymentAlert(80, FIN));
    const group = [
      ...Array.from({ length: 6 }, (_, i) => paymentAlert(81 + i, i % 2 ? ch2 : FIN)),
      paymentAlert(81, FIN), // the same alert again in the group: once
    ];
    const trips = countRoundTrips(redis);
    try {
      await d.enqueueMany(group);
      // Admission of all (enqueue-alerts.lua), then their jobs (one pipeline), then the heads'
      // read per channel for their promotion, sent and not awaited. One by one it was two
      // round trips per alert waited for and a third sent.
      expect(trips.rounds()).toBe(3);
    } finally {
      trips.restore();
    }
    d.startWorker({ concurrency: 4 });
    // While the worker runs, a second group: an alert ahead may finish before its jobs exist.
    await d.enqueueMany([87, 88, 89].map((n) => paymentAlert(n, FIN)));
    await drained(d);
    const mine = new Set(
      [80, 81, 82, 83, 84, 85, 86, 87, 88, 89].flatMap((n) => [
        paymentAlert(n, FIN).id,
        paymentAlert(n, ch2).id,
      ]),
    );
    // This test's messages, in the order the channel has them.
    const ids = (ch: string) =>
      emu.inspect
        .messages(ch)
        .map((m) => (m.metadata?.event_payload as { alert_id?: string } | undefined)?.alert_id)
        .filter((id) => id !== undefined && mine.has(id));
    expect(ids(FIN)).toEqual([80, 81, 83, 85, 87, 88, 89].map((n) => paymentAlert(n, FIN).id));
    expect(ids(ch2)).toEqual([82, 84, 86].map((n) => paymentAlert(n, ch2).id));
  });

  it("promotes the next alert of the channel in the line exit's round trip", async () => {
    const d = await warmed();
    await d.enqueue(paymentAlert(75, FIN));
    await d.enqueue(paymentAlert(76, FIN));
    const trips = countRoundTrips(redis);
    try {
      const worker = d.startWorker({ concurrency: 1 });
      // Counted when the first job completes, before the worker takes the next one up.
      const rounds = await new Promise<number>((r) =>
        worker.once("completed", () => r(trips.rounds())),
      );
      // As for an alert alone (below): the next one, read with the slot, is promoted with the
      // line exit; it was a round trip of its own after reading the heads.
      expect(rounds).toBe(2);
    } finally {
      trips.restore();
    }
    await drained(d);
    expect(emu.inspect.messages(FIN)).toHaveLength(2);
  });

  it("takes two round trips from the job's start to its line exit, none of them on top of the post", async () => {
    const d = await warmed();
    const a = paymentAlert(71, FIN);
    await d.enqueue(a);
    const trips = countRoundTrips(redis);
    try {
      const worker = d.startWorker({ concurrency: 1 });
      await new Promise((r) => worker.once("completed", r));
      // The claim (claim-post.lua: the markers' checks, the slot, the in-flight marker and the
      // attempt's audit entry); the pacing lesson, the delivered marker and the read of the
      // next heads. Each was a round trip of its own (eight), then five: a channel's posts
      // follow one another only as fast as these waits.
      expect(trips.rounds()).toBe(2);
    } finally {
      trips.restore();
    }
    expect(emu.inspect.messages(FIN)).toHaveLength(1);
  });

  it("posts once, with opaque metadata; enqueueing the same alert again does not post again", async () => {
    const d = make();
    d.startWorker({ concurrency: 4 });
    const a = paymentAlert(1, FIN, "1234.50");
    await d.enqueue(a);
    await drained(d);
    await d.enqueue(a);
    await drained(d);
    const msgs = emu.inspect.messages(FIN);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]?.metadata).toEqual({
      event_type: "cloudsuite_alert",
      event_payload: { alert_id: a.id },
    });
    expect(JSON.stringify(msgs[0]?.metadata)).not.toContain("1234");
    expect(msgs[0]?.text).toContain("1,234.50 EUR");
    const trail = await d.audit.query({ alertId: a.id });
    expect(trail.map((e) => e.type).slice(0, 4)).toEqual([
      "alert.stored",
      "post.attempt",
      "post.result",
      "alert.stored",
    ]);
    expect((await d.stats()).duplicatesAvoided).toBe(1);
  });

  it("a later version edits the original message and threads what changed", async () => {
    const d = make();
    d.startWorker({ concurrency: 2 });
    const v1 = createAlert({ kind: "record.new", channel: FIN, record: payment(7, "10.00") });
    await d.enqueue(v1);
    await drained(d);
    const v2 = createAlert({
      kind: "record.updated",
      channel: FIN,
      record: payment(7, "12.00"),
      changes: [{ field: "Amount", from: "10.00 EUR", to: "12.00 EUR" }],
    });
    expect(v2.id).not.toBe(v1.id);
    expect(v2.subject).toBe(v1.subject);
    await d.enqueue(v2);
    await drained(d);
    const msgs = emu.inspect.messages(FIN);
    expect(msgs).toHaveLength(1);
    const m = msgs[0];
    expect(m?.text).toContain("12.00 EUR");
    expect(m?.edits).toHaveLength(1);
    expect(m?.replies).toHaveLength(1);
    expect(m?.replies[0]?.text).toContain("Amount");
    expect(JSON.stringify(m?.replies[0]?.blocks)).toContain("10.00 EUR → 12.00 EUR");
  });

  it("a thread reply is an alert of its own: an unanswered one is looked for in the thread by its own id", async () => {
    const d = make();
    d.startWorker({ concurrency: 2 });
    const keys = deliveryKeys(prefixes.at(-1) ?? "");
    await d.enqueue(createAlert({ kind: "record.new", channel: FIN, record: payment(8, "10.00") }));
    await drained(d);
    // conversations.history's budget is spent for ten minutes (as if channels were being
    // resolved): the thread's look-up is conversations.replies, a Tier 3 budget of its own.
    await redis.set(keys.methodTat("conversations.history"), String(Date.now() + 600_000));
    // chat.update lands (the parent now carries v2's id); the reply gets a 503 (nothing stored).
    emu.control.addFault({ kind: "5xx", method: "chat.postMessage", channel: FIN, next: 1 });
    const v2 = createAlert({
      kind: "record.updated",
      channel: FIN,
      record: payment(8, "11.00"),
      changes: [{ field: "Amount", from: "10.00 EUR", to: "11.00 EUR" }],
    });
    await d.enqueue(v2);
    await drained(d);
    const msgs = emu.inspect.messages(FIN);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]?.replies).toHaveLength(1);
    const reply = threadReplyAlert(v2, String(msgs[0]?.ts));
    expect(reply.id).not.toBe(v2.id);
    // The parent carries the edit's id after chat.update; the reply its own, naming the parent.
    expect(msgs[0]?.metadata?.event_payload).toEqual({ alert_id: v2.id });
    expect(msgs[0]?.replies[0]?.metadata?.event_payload).toEqual({
      alert_id: reply.id,
      parent_alert_id: v2.id,
    });
    const resolved = await d.audit.query({ alertId: reply.id, types: ["post.resolved"] });
    expect(resolved.map((e) => e.data?.found)).toEqual([false]);
    expect(emu.inspect.requests({ method: "conversations.replies" }).length).toBeGreaterThan(0);
    expect(emu.inspect.requests({ method: "conversations.history" })).toHaveLength(0);
    // The reply is stored like any alert, so a ledger finds it by its own id.
    expect((await d.audit.storedAlerts({ alertId: reply.id })).map((a) => a.reply)).toEqual([
      { parentAlertId: v2.id, threadTs: String(msgs[0]?.ts) },
    ]);
  });

  it("an ambiguous timeout (stored, never answered) ends in exactly one message", async () => {
    const d = make({ requestTimeoutMs: 300 });
    d.startWorker({ concurrency: 2 });
    emu.control.addFault({
      kind: "ambiguous",
      mode: "withhold",
      method: "chat.postMessage",
      channel: FIN,
      next: 1,
    });
    const a = paymentAlert(2, FIN);
    await d.enqueue(a);
    await drained(d);
    expect(emu.inspect.messages(FIN)).toHaveLength(1);
    const types = (await d.audit.query({ alertId: a.id })).map((e) => e.type);
    expect(types).toContain("post.ambiguous");
    expect(types).toContain("post.resolved");
    expect((await d.stats()).ambiguousFound).toBe(1);
  });

  it("a dropped connection after a 5xx-free store is resolved the same way", async () => {
    const d = make();
    d.startWorker({ concurrency: 2 });
    emu.control.addFault({
      kind: "ambiguous",
      mode: "drop",
      method: "chat.postMessage",
      channel: FIN,
      next: 1,
    });
    await d.enqueue(paymentAlert(3, FIN));
    await drained(d);
    expect(emu.inspect.messages(FIN)).toHaveLength(1);
  });

  it("5xx before storing: retried, one message", async () => {
    const d = make();
    d.startWorker({ concurrency: 2 });
    emu.control.addFault({ kind: "5xx", method: "chat.postMessage", channel: FIN, next: 2 });
    await d.enqueue(paymentAlert(4, FIN));
    await drained(d);
    expect(emu.inspect.messages(FIN)).toHaveLength(1);
  });

  it("unfixable errors go to the dead letter with one ops alert per burst; replay delivers them once", async () => {
    const d = make();
    d.startWorker({ concurrency: 4 });
    const bad = [1, 2, 3].map((n) => paymentAlert(100 + n, "C0NOBOT001"));
    for (const a of bad) await d.enqueue(a);
    await drained(d);
    const dead = await d.deadLetters();
    expect(dead.map((x) => x.reason)).toEqual([
      "not_in_channel",
      "not_in_channel",
      "not_in_channel",
    ]);
    const ops = emu.inspect.messages(OPS);
    expect(ops).toHaveLength(1);
    expect(ops[0]?.text).toContain("not_in_channel");

    // The admin fixes the cause (here: invites the bot) and replays every dead letter.
    await new WebClient(emu.botToken, { slackApiUrl: emu.url }).conversations.join({
      channel: "C0NOBOT001",
    });
    const r = await d.replay({ deadLetters: true });
    expect(r.requeued.sort()).toEqual(bad.map((a) => a.id).sort());
    await drained(d);
    expect(emu.inspect.messages("C0NOBOT001")).toHaveLength(3);
    expect(await d.deadLetters()).toEqual([]);
    // Replaying again finds them delivered: nothing is posted twice.
    const again = await d.replay({ channel: "C0NOBOT001" });
    expect(again.requeued).toEqual([]);
    expect(again.alreadyDelivered).toHaveLength(3);
    expect((await d.audit.query({ alertId: bad[0]?.id ?? "", types: ["replay"] })).length).toBe(2);
  });

  it("floods become a digest when the backlog would take too long to drain", async () => {
    // 30 alerts at 20/s (scaled) take 1.5 s: over a 500 ms threshold.
    const d = make({ digests: { enabled: true, drainThresholdMs: 500 } });
    const alerts = Array.from({ length: 30 }, (_, i) => paymentAlert(200 + i, FIN, "1.10"));
    for (const a of alerts) await d.enqueue(a);
    d.startWorker({ concurrency: 4 });
    await drained(d);
    const msgs = emu.inspect.messages(FIN);
    expect(msgs.length).toBeLessThan(30);
    const digest = msgs.find((m) => m.text.includes("new records"));
    expect(digest?.text).toMatch(/\d+ new records, total [\d.,]+ EUR/);
    // Every alert reached the channel exactly once: alone or as a digest line.
    const singles = msgs.filter((m) => m !== digest).length;
    const inDigest = Number(/^(\d+) new records/.exec(digest?.text ?? "")?.[1] ?? 0);
    expect(singles + inDigest).toBe(30);
  });
});
