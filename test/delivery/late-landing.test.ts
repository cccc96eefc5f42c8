import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import { deliveryKeys } from "../../src/delivery/keys.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { paymentAlert, startEmu, waitFor } from "./emu.ts";
import { cleanup, connect, uniquePrefix } from "./helpers.ts";

/**
 * Issue 20's scale run: a chat.postMessage the client gave up on (10 s timeout) was stored by
 * the emulator after the history look-up had found nothing, and the re-post made two messages.
 * Slack can do the same (no idempotency key; a request it accepted may be applied after our
 * client left). Here the emulator holds the post LATE_MS without answering, then stores it.
 */
const SCALE = 20;
const FIN = "C0FINANCE1";
const TIMEOUT_MS = 300;
const LATE_MS = 1200;
let redis: RedisClient;
let emu: SlackEmu;
const prefixes: string[] = [];
const open: Delivery[] = [];

beforeAll(async () => {
  redis = connect();
  emu = await startEmu(SCALE);
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

function make(config: Record<string, unknown>): { d: Delivery; prefix: string } {
  const prefix = uniquePrefix("late-landing");
  prefixes.push(prefix);
  const d = createSlackDelivery({
    connection: redis,
    prefix,
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    config: {
      timeScale: SCALE,
      retryDelayMs: 50,
      requestTimeoutMs: TIMEOUT_MS,
      digests: { enabled: false },
      ...config,
    },
  });
  open.push(d);
  return { d, prefix };
}

async function drained(d: Delivery): Promise<void> {
  await waitFor("queue drained", async () => {
    const s = await d.stats();
    return s.waiting + s.delayed + s.active === 0 && s.oldestAgeMs === 0;
  });
}

/** The held post has been carried out (logged by the emulator when it lands). */
async function landed(): Promise<void> {
  await waitFor("the late post landed", () =>
    emu.inspect.requests({ method: "chat.postMessage" }).some((r) => r.fault?.endsWith(":late")),
  );
}

function lateOnce(): void {
  emu.control.addFault({
    kind: "ambiguous",
    mode: "late",
    lateMs: LATE_MS,
    method: "chat.postMessage",
    channel: FIN,
    next: 1,
  });
}

/** Top-level messages still in the channel (a deleted one leaves history). */
function visible() {
  return emu.inspect.messages(FIN).filter((m) => !m.deleted);
}

describe("a post stored after the client gave up", () => {
  it("is found, not posted again: the look-up waits for the grace period after the timeout", async () => {
    const { d, prefix } = make({ ambiguousGraceMs: 3 * LATE_MS });
    d.startWorker({ concurrency: 2 });
    emu.control.addFault({
      kind: "ambiguous",
      mode: "late",
      lateMs: LATE_MS,
      method: "chat.postMessage",
      channel: FIN,
      next: 1,
    });
    const a = paymentAlert(20, FIN);
    const started = Date.now();
    await d.enqueue(a);
    await drained(d);
    await landed();
    const msgs = emu.inspect.messages(FIN);
    expect(msgs.map((m) => m.metadata?.event_payload.alert_id)).toEqual([a.id]);
    // The one message is the one the delivered marker names (edits and approvals go to it).
    const marker = await redis.hget(deliveryKeys(prefix).delivered(a.id), "ts");
    expect(marker).toBe(msgs[0]?.ts);
    const trail = await d.audit.query({ alertId: a.id });
    expect(trail.map((e) => e.type)).toContain("post.ambiguous");
    expect(trail.filter((e) => e.type === "post.resolved").map((e) => e.data?.found)).toEqual([
      true,
    ]);
    // It looked once, after the timeout and the grace, not at the retry's backoff.
    const looks = emu.inspect.requests({ method: "conversations.history" });
    expect(looks).toHaveLength(1);
    expect(Date.parse(String(looks[0]?.at)) - started).toBeGreaterThanOrEqual(
      TIMEOUT_MS + 3 * LATE_MS,
    );
    expect((await d.stats()).ambiguousFound).toBe(1);
  });

  it("later than the grace: the later check deletes the copy the marker does not name", async () => {
    // A grace shorter than the landing: the look misses it and the alert is posted again. At
    // Slack's own rate (time scale 1) the re-post waits for the channel's next slot after the
    // look: a run of its own, which must still know the look missed.
    const { d, prefix } = make({
      timeScale: 1,
      ambiguousGraceMs: 100,
      duplicateSweepAfterMs: 2 * LATE_MS,
    });
    d.startWorker({ concurrency: 2 });
    lateOnce();
    const a = paymentAlert(22, FIN);
    await d.enqueue(a);
    await drained(d);
    await landed();
    expect(visible().map((m) => m.metadata?.event_payload.alert_id)).toEqual([a.id, a.id]);
    const kept = await redis.hget(deliveryKeys(prefix).delivered(a.id), "ts");
    const entries = await waitFor("the duplicate check", async () => {
      const found = await d.audit.query({ alertId: a.id, types: ["post.duplicate"] });
      return found.length > 0 ? found : undefined;
    });
    expect(visible().map((m) => m.ts)).toEqual([kept]);
    const stray = emu.inspect.messages(FIN).find((m) => m.ts !== kept);
    expect(stray?.deleted).toBe(true);
    expect(entries.map((e) => e.data)).toEqual([{ ts: stray?.ts, kept, removed: true }]);
    expect(emu.inspect.requests({ method: "chat.delete" })).toHaveLength(1);
  });

  it("a copy people replied to is kept and audited, not deleted", async () => {
    const { d, prefix } = make({ ambiguousGraceMs: 100, duplicateSweepAfterMs: 2 * LATE_MS });
    d.startWorker({ concurrency: 2 });
    lateOnce();
    const a = paymentAlert(23, FIN);
    await d.enqueue(a);
    await drained(d);
    await landed();
    const kept = await redis.hget(deliveryKeys(prefix).delivered(a.id), "ts");
    const stray = visible().find((m) => m.ts !== kept);
    emu.control.postAsUser({
      channel: FIN,
      user: "U0APPR0001",
      text: "on it",
      threadTs: String(stray?.ts),
    });
    const entries = await waitFor("the duplicate check", async () => {
      const found = await d.audit.query({ alertId: a.id, types: ["post.duplicate"] });
      return found.length > 0 ? found : undefined;
    });
    expect(entries.map((e) => e.data)).toEqual([
      { ts: stray?.ts, kept, removed: false, touched: "replies" },
    ]);
    expect(visible()).toHaveLength(2);
    expect(emu.inspect.requests({ method: "chat.delete" })).toHaveLength(0);
  });

  it("a server's own 503 (its request is over) is looked for at once, without the grace", async () => {
    const { d } = make({ ambiguousGraceMs: 60_000 });
    d.startWorker({ concurrency: 2 });
    emu.control.addFault({
      kind: "5xx",
      status: 503,
      method: "chat.postMessage",
      channel: FIN,
      next: 1,
    });
    const a = paymentAlert(21, FIN);
    await d.enqueue(a);
    await waitFor("posted", () => emu.inspect.messages(FIN).length === 1, 10_000);
    await drained(d);
    expect(emu.inspect.messages(FIN)).toHaveLength(1);
    const resolved = await d.audit.query({ alertId: a.id, types: ["post.resolved"] });
    expect(resolved.map((e) => e.data?.found)).toEqual([false]);
  });
});
