import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { deliveryKeys } from "../../src/delivery/keys.ts";
import { createSlackApp } from "../../src/slack/app.ts";
import type { LookupService } from "../../src/slack/lookup-service.ts";

// A chaos run with Slack's tiers on runs the emulator on a faster clock: the app's share of a
// method's budget must follow it, or the workers (1.2 s per chat.update) and the other callers
// of the same Redis budget (12 ms at scale 100) pace against each other.
let redis: Redis;
const prefix = `test:method-time-scale:${randomBytes(4).toString("hex")}:`;
beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe("the Slack app's method budgets on the emulator's clock (methodTimeScale)", () => {
  it("a chat.update reserves Tier 3's 1.2 s divided by the scale", async () => {
    const emu = await startSlackEmu({});
    const reserved = async (scale: number | undefined) => {
      const p = `${prefix}${scale ?? "none"}:`;
      const slack = createSlackApp({
        config: {
          signingSecret: emu.signingSecret,
          botToken: emu.botToken,
          botId: "B0EMUBOT01",
          botUserId: "U0BOT00001",
          slackApiUrl: emu.url,
          ...(scale !== undefined ? { methodTimeScale: scale } : {}),
        },
        redis,
        keyPrefix: p,
        lookups: {} as LookupService,
        logger: pino({ level: "silent" }),
      });
      const client = slack.app.client;
      const posted = await client.chat.postMessage({
        token: emu.botToken,
        channel: "C0GENERAL1",
        text: "x",
      });
      const before = Date.now();
      await client.chat.update({
        token: emu.botToken,
        channel: "C0GENERAL1",
        ts: posted.ts ?? "",
        text: "y",
      });
      const tat = Number(await redis.get(deliveryKeys(p).methodTat("chat.update")));
      return tat - before;
    };
    try {
      // Tier 3, 50/min: the next slot 1,200 ms out at scale 1, 20 ms at scale 60.
      expect(await reserved(undefined)).toBeGreaterThan(1000);
      expect(await reserved(60)).toBeLessThan(600);
    } finally {
      await emu.close();
    }
  });
});
