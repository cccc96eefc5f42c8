import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { loadChannel, paymentAlert, startEmu, waitFor } from "./emu.ts";
import { cleanup, connect, REDIS_URL, uniquePrefix } from "./helpers.ts";
import { killGroup, startWorkerProcess, stopWorkerProcess } from "./procs.ts";

const SCALE = 20;
let redis: RedisClient;
let emu: SlackEmu;
const prefixes: string[] = [];
const children: ChildProcess[] = [];
const deliveries: Delivery[] = [];

beforeAll(async () => {
  redis = connect();
  emu = await startEmu(SCALE, 20);
});
afterAll(async () => {
  for (const c of children) await stopWorkerProcess(c);
  for (const d of deliveries) await d.close();
  for (const p of prefixes) await cleanup(redis, p);
  await redis.quit();
  await emu.close();
});

function setup(config: Record<string, unknown>) {
  const prefix = uniquePrefix("multi");
  prefixes.push(prefix);
  const full = { timeScale: SCALE, retryDelayMs: 50, digests: { enabled: false }, ...config };
  const producer = createSlackDelivery({
    connection: redis,
    prefix,
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    config: full,
  });
  deliveries.push(producer);
  const env = {
    redisUrl: REDIS_URL,
    prefix,
    slackUrl: emu.url,
    token: emu.botToken,
    concurrency: 4,
    config: full,
  };
  return { producer, env };
}

/** The payment numbers of a channel's top-level messages, in channel order. */
function numbersIn(channel: string): number[] {
  return emu.inspect.messages(channel).map((m) => Number(/PAY-(\d+)/.exec(m.text)?.[1] ?? -1));
}

describe("several worker processes", () => {
  it("3 workers, 20 channels, skewed load: 0 × 429, every alert once, in order per channel", async () => {
    const { producer, env } = setup({});
    const expected = new Map<string, number[]>();
    let n = 0;
    // channel 0 is hot (40 alerts), the others get 4 each: 116 alerts
    const plan = Array.from({ length: 20 }, (_, c) => (c === 0 ? 40 : 4));
    for (let round = 0; round < 40; round++) {
      for (let c = 0; c < 20; c++) {
        if (round >= (plan[c] ?? 0)) continue;
        const channel = loadChannel(c);
        n++;
        await producer.enqueue(paymentAlert(n, channel));
        expected.set(channel, [...(expected.get(channel) ?? []), n]);
      }
    }
    // started together: on a busy machine `npx node` alone can take seconds
    children.push(...(await Promise.all([0, 1, 2].map(() => startWorkerProcess(env)))));
    await waitFor(
      "all messages",
      () =>
        [...expected.keys()].every(
          (ch) => emu.inspect.messages(ch).length >= (expected.get(ch)?.length ?? 0),
        ),
      75_000,
    ).catch(async (err) => {
      const got = [...expected.keys()].map(
        (ch) => `${ch}:${emu.inspect.messages(ch).length}/${expected.get(ch)?.length}`,
      );
      throw new Error(
        `${String(err)}; ${got.join(" ")}; ${JSON.stringify(await producer.stats())}`,
      );
    });
    await waitFor("queue drained", async () => (await producer.stats()).oldestAgeMs === 0);
    expect(emu.inspect.rateLimited().total).toBe(0);
    for (const [ch, nums] of expected) expect(numbersIn(ch)).toEqual(nums);
    expect((await producer.stats()).posted).toBe(n);
    for (const c of children.splice(0)) await stopWorkerProcess(c);
  }, 120_000);

  it("kill -9 of a worker mid-post loses nothing and duplicates nothing", async () => {
    const { producer, env } = setup({
      lockDurationMs: 1000,
      stalledIntervalMs: 300,
      // Long enough that the withheld post is still waiting when its worker is killed; the
      // look-up then waits for it to have timed out (and the short grace) before it runs.
      requestTimeoutMs: 8_000,
      ambiguousGraceMs: 300,
    });
    const channel = loadChannel(5);
    emu.inspect.reset();
    // The first post is stored, then its answer never comes: the worker is stuck mid-post.
    emu.control.addFault({
      kind: "ambiguous",
      mode: "withhold",
      method: "chat.postMessage",
      channel,
      next: 1,
    });
    const alerts = Array.from({ length: 6 }, (_, i) => paymentAlert(1000 + i, channel));
    for (const a of alerts) await producer.enqueue(a);
    const a = await startWorkerProcess({ ...env, concurrency: 2 });
    children.push(a);
    await waitFor("first post stored", () => emu.inspect.messages(channel).length === 1);
    killGroup(a, "SIGKILL");
    const b = await startWorkerProcess(env);
    children.push(b);
    await waitFor("queue drained", async () => (await producer.stats()).oldestAgeMs === 0, 30_000);
    const ids = emu.inspect.messages(channel).map((m) => m.metadata?.event_payload.alert_id);
    expect(ids).toEqual(alerts.map((x) => x.id));
    expect((await producer.stats()).ambiguousFound).toBe(1);
    for (const c of children.splice(0)) await stopWorkerProcess(c);
  }, 90_000);
});
