/**
 * The Bolt app (with the real delivery worker beside it, as the "all" role runs) in a process of
 * its own, so the interactive bench measures the app, not the emulator that drives it. Reads one
 * JSON argument, prints `{"port":N}` once listening, and stops cleanly on SIGTERM.
 */
import { Redis } from "ioredis";
import { createSlackApp } from "../../../src/slack/app.ts";
import { createSlackDelivery } from "../../../src/slack/destination/delivery.ts";
import { fakeLookups } from "./fixtures.ts";

interface Options {
  redisUrl: string;
  prefix: string;
  signingSecret: string;
  botToken: string;
  slackApiUrl: string;
  /** Delivery's queue under this prefix, worked at this concurrency and time scale. */
  delivery?: { prefix: string; concurrency: number; timeScale: number };
  lookupDelayMs: number;
  replayProtection?: boolean;
}

const options = JSON.parse(process.argv[2] ?? "{}") as Options;
const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
const workerConn = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
const slack = createSlackApp({
  config: {
    signingSecret: options.signingSecret,
    botToken: options.botToken,
    botId: "B0EMUBOT01",
    botUserId: "U0BOT00001",
    slackApiUrl: options.slackApiUrl,
    replayProtection: options.replayProtection !== false,
  },
  redis,
  keyPrefix: options.prefix,
  lookups: fakeLookups({ delayMs: options.lookupDelayMs }),
  limits: { lookupsPerMinute: 1_000_000 },
});
const d = options.delivery;
const delivery = d
  ? createSlackDelivery({
      connection: workerConn,
      prefix: d.prefix,
      slack: { token: options.botToken, slackApiUrl: options.slackApiUrl },
      config: { timeScale: d.timeScale, digests: { enabled: false } },
    })
  : undefined;
delivery?.startWorker({ concurrency: d?.concurrency ?? 1 });
const { port } = await slack.start(0);
process.stdout.write(`${JSON.stringify({ port })}\n`);

process.once("SIGTERM", async () => {
  await delivery?.close();
  await slack.stop().catch(() => {});
  await Promise.all([redis.quit(), workerConn.quit()]);
  process.exit(0);
});
