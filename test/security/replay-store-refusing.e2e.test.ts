import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { signedHeaders } from "../../sandbox/slack-emu/sign.ts";
import { type PrivateRedis, startPrivateRedis } from "../../sandbox/support/redis-server.ts";
import { createSlackApp, type SlackAppHandle } from "../../src/slack/app.ts";
import { fakeLookups } from "../slack/helpers/fixtures.ts";

/**
 * Issue 14, item 9: when Redis refuses the replay record (OOM under `noeviction`), the request's
 * signature must not reach a log line (ioredis errors carry the command's arguments), and the
 * door does what it was told: refuse with 503 (default) or accept the verified request.
 */
let redisServer: PrivateRedis;
let admin: Redis;
let emu: SlackEmu;
const apps: { slack: SlackAppHandle; redis: Redis; port: number; lines: string[] }[] = [];

async function startApp(whenReplayCheckFails: "refuse" | "accept") {
  const lines: string[] = [];
  const logger = pino({ level: "debug" }, { write: (l: string) => void lines.push(l) });
  const redis = new Redis(redisServer.url);
  const slack = createSlackApp({
    config: {
      signingSecret: emu.signingSecret,
      botToken: emu.botToken,
      botId: "B0EMUBOT01",
      botUserId: "U0BOT00001",
      slackApiUrl: emu.url,
      whenReplayCheckFails,
    },
    redis,
    keyPrefix: "test:replay-refusing:",
    logger,
    lookups: fakeLookups(),
  });
  const { port = 0 } = await slack.start(0);
  const app = { slack, redis, port, lines };
  apps.push(app);
  return app;
}

beforeAll(async () => {
  redisServer = await startPrivateRedis();
  admin = new Redis(redisServer.url);
  emu = await startSlackEmu();
});
afterAll(async () => {
  for (const a of apps) {
    await a.slack.stop();
    a.redis.disconnect();
  }
  await emu?.close();
  await admin?.quit();
  await redisServer?.close();
});

function signedCommand(port: number) {
  const body = new URLSearchParams({
    command: "/infor",
    text: "help",
    user_id: "U0CLERK001",
    channel_id: "C0AP000001",
    response_url: `${emu.origin}/response/x`,
    trigger_id: "1.2.3",
  }).toString();
  const headers = signedHeaders(
    emu.signingSecret,
    Math.floor(Date.now() / 1000),
    body,
    "application/x-www-form-urlencoded",
  );
  return {
    signature: String(headers["x-slack-signature"]),
    send: () =>
      fetch(`http://127.0.0.1:${port}/slack/events`, { method: "POST", headers, body }).then(
        (r) => r.status,
      ),
  };
}

describe("the replay record cannot be written", () => {
  it("refuses (503) by default, accepts when told to, and never logs the signature", async () => {
    const refusing = await startApp("refuse");
    const accepting = await startApp("accept");
    await admin.config("SET", "maxmemory-policy", "noeviction");
    await admin.config("SET", "maxmemory", "1");
    try {
      const a = signedCommand(refusing.port);
      const b = signedCommand(accepting.port);
      expect([await a.send(), await b.send()]).toEqual([503, 200]);
      const lines = [...refusing.lines, ...accepting.lines];
      const warn = lines.filter((l) => l.includes(`"msg":"replay check unavailable"`));
      expect(warn).toHaveLength(2);
      expect(warn[0]).toContain('"code":"OOM"');
      for (const sig of [a.signature, b.signature]) {
        const hex = sig.slice(3);
        expect(lines.filter((l) => l.includes(hex) || l.includes(hex.slice(0, 16)))).toEqual([]);
      }
    } finally {
      await admin.config("SET", "maxmemory", "0");
    }
  });
});
