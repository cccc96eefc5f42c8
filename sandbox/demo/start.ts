import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { startApp } from "../../src/app/start.ts";
import type { AppHandle } from "../../src/app/types.ts";
import { loadEnv } from "../../src/config/env.ts";
import { formatProblem, loadRoutingFile } from "../../src/config/routing-load.ts";
import { createLogger, secretScrubber } from "../../src/log/logger.ts";
import { type InforSim, startInforSim } from "../infor-sim/server.ts";
import { type SlackEmu, startSlackEmu } from "../slack-emu/server.ts";
import { type DemoRedis, demoRedis } from "./redis.ts";
import { demoRoutingYaml } from "./routing.ts";
import { createStory, type Story } from "./story.ts";

export interface DemoOptions {
  env?: Record<string, string | undefined>;
  /** Folder for the generated routing.yml and env file (default sandbox/.data/demo). */
  dataDir?: string;
  /** Seconds between story steps (default 15). */
  stepSeconds?: number;
  logLevel?: string;
  logger?: Logger;
}

export interface Demo {
  webView: string;
  appUrl: string;
  simUrl: string;
  redis: DemoRedis;
  sim: InforSim;
  emu: SlackEmu;
  app: AppHandle;
  story: Story;
  routingFile: string;
  envFile: string;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * The whole sandbox in one process: Redis (shared or private), the ION simulator with a story
 * that keeps changing its data, the Slack emulator with its web view, and the app with every
 * role, wired exactly as `serve` wires it (same env variables, same routing.yml loader).
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const env = options.env ?? process.env;
  const logger =
    options.logger ?? createLogger({ level: options.logLevel ?? env.LOG_LEVEL ?? "warn" });
  const stack: { name: string; close: () => Promise<void> | void }[] = [];
  const closeAll = async () => {
    // startPrivateRedis unrefs its child and then awaits the child's exit: once our servers are
    // closed nothing else holds the event loop, so without this timer Node would exit before the
    // exit event, leaving the temporary folder behind.
    const keepAlive = setInterval(() => {}, 1000);
    try {
      for (const s of stack.reverse()) {
        try {
          await s.close();
        } catch (err) {
          logger.warn({ step: s.name, err }, "demo: stop step failed");
        }
      }
    } finally {
      clearInterval(keepAlive);
    }
  };
  try {
    const redis = await demoRedis(env);
    stack.push({ name: "redis", close: () => redis.close() });

    const sim = await startInforSim({
      port: 0,
      seed: 7,
      data: { suppliersPerCompany: 8, purchaseOrders: 20, invoices: 30, manualVouchers: 4 },
    });
    stack.push({ name: "infor-sim", close: () => sim.close() });

    // Slack signing secrets are hex; the config refuses anything else.
    const signingSecret = randomBytes(16).toString("hex");
    const emu = await startSlackEmu({ port: 0, timeScale: 1, signingSecret });
    stack.push({ name: "slack-emu", close: () => emu.close() });

    const dataDir = options.dataDir ?? join("sandbox", ".data", "demo");
    mkdirSync(dataDir, { recursive: true });
    const routingFile = join(dataDir, "routing.yml");
    const since = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
    writeFileSync(routingFile, demoRoutingYaml({ tenant: sim.tenant, since }));
    const appEnv: Record<string, string> = {
      SLACK_BOT_TOKEN: emu.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: emu.url,
      REDIS_URL: redis.url,
      IONAPI_JSON: JSON.stringify(sim.ionapi),
      ROUTING_FILE: routingFile,
      LOG_LEVEL: options.logLevel ?? env.LOG_LEVEL ?? "warn",
      PORT: "0",
      TIME_ZONE: "Europe/Stockholm",
    };
    const envFile = join(dataDir, "demo.env");
    // Sandbox credentials only (random per start), kept owner-readable like a real .env.
    writeFileSync(
      envFile,
      `${Object.entries(appEnv)
        .map(([k, v]) => `${k}=${k === "IONAPI_JSON" ? `'${v}'` : v}`)
        .join("\n")}\n`,
      { mode: 0o600 },
    );

    const loaded = loadEnv(appEnv);
    if (!loaded.ok) throw new Error(`demo env: ${JSON.stringify(loaded.problems)}`);
    secretScrubber.add(...loaded.secrets);
    const routing = loadRoutingFile(routingFile);
    if (!routing.ok) throw new Error(routing.problems.map(formatProblem).join("\n"));

    const story = createStory(sim, (err) =>
      logger.warn({ err: (err as Error).message }, "demo: story step failed"),
    );
    story.kickoff();

    const app = await startApp({
      env: loaded.env,
      routing: routing.config,
      roles: ["all"],
      logger,
      overrides: {
        prefix: redis.prefix,
        port: 0,
        botId: "B0EMUBOT01",
        botUserId: "U0BOT00001",
        approvalSweepMs: 60_000,
        shutdownDeadlineMs: 10_000,
        // The BOD webhook is not part of the demo; a random secret keeps it closed and quiet.
        bod: { hmacSecrets: [randomBytes(16).toString("hex")] },
      },
    });
    stack.push({ name: "app", close: () => app.close() });
    emu.control.setAppRequestUrl(app.slackRequestUrl ?? "");
    story.start((options.stepSeconds ?? 15) * 1000);
    stack.push({ name: "story", close: () => story.stop() });

    return {
      webView: `${emu.origin}/`,
      appUrl: app.url ?? "",
      simUrl: sim.url,
      redis,
      sim,
      emu,
      app,
      story,
      routingFile,
      envFile,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
