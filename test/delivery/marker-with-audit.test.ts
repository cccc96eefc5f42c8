import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import { deliveryKeys } from "../../src/delivery/keys.ts";
import { Markers } from "../../src/delivery/markers.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { paymentAlert, startEmu, waitFor } from "./emu.ts";
import { cleanup, connect, uniquePrefix } from "./helpers.ts";

/**
 * A worker killed right after it marked an alert delivered must leave the audit trail saying the
 * alert was posted: the retry sees the marker and audits only "skipped", so an entry written
 * after the marker would never be written. The worker is frozen at that point (the state a kill
 * leaves behind) and the trail is read while it is.
 */
const SCALE = 20;
const FIN = "C0FINANCE1";
let redis: RedisClient;
let emu: SlackEmu;
const prefix = uniquePrefix("marker-audit");

beforeAll(async () => {
  redis = connect();
  emu = await startEmu(SCALE);
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
  await emu.close();
});

describe("delivered marker and its audit entry", () => {
  it("are one step: frozen right after the marker, the trail already has post.result", async () => {
    let release: () => void = () => {};
    const frozen = new Promise<void>((r) => {
      release = r;
    });
    let reached: () => void = () => {};
    const atFreeze = new Promise<void>((r) => {
      reached = r;
    });
    const original = Markers.prototype.markDelivered;
    vi.spyOn(Markers.prototype, "markDelivered").mockImplementation(async function (
      this: Markers,
      input,
    ) {
      const wrote = await original.call(this, input);
      reached();
      await frozen;
      return wrote;
    });

    const d: Delivery = createSlackDelivery({
      connection: redis,
      prefix,
      slack: { token: emu.botToken, slackApiUrl: emu.url },
      config: { timeScale: SCALE, retryDelayMs: 50, digests: { enabled: false } },
    });
    try {
      d.startWorker({ concurrency: 1 });
      const a = paymentAlert(1, FIN);
      await d.enqueue(a);
      await atFreeze;

      const ts = emu.inspect.messages(FIN)[0]?.ts;
      expect(ts).toBeDefined();
      const marker = await redis.hgetall(deliveryKeys(prefix).delivered(a.id));
      expect(marker).toMatchObject({ channel: FIN, ts });
      const trail = await d.audit.query({ alertId: a.id });
      expect(trail.map((e) => e.type)).toEqual(["alert.stored", "post.attempt", "post.result"]);
      expect(trail[2]?.data).toEqual({ ok: true, ts, mode: "post" });
      expect((await d.stats()).posted).toBe(1);

      release();
      await waitFor("job finished", async () => {
        const s = await d.stats();
        return s.waiting + s.delayed + s.active === 0;
      });
    } finally {
      release();
      await d.close();
    }
  });
});
