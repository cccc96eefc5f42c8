import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { pino } from "pino";
import { demoRoutingYaml } from "../../sandbox/demo/routing.ts";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import { startApp } from "../../src/app/start.ts";
import type { AppHandle, Role } from "../../src/app/types.ts";
import { loadEnv } from "../../src/config/env.ts";
import { formatProblem, parseRouting } from "../../src/config/routing-load.ts";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Shared secret of `POST /ion/bod` in these stacks (HMAC-SHA256 of the body). */
export const BOD_SECRET = randomBytes(16).toString("hex");

export interface Stack {
  sim: InforSim;
  emu: SlackEmu;
  /** The app answering Slack (the one with the web role). */
  app: AppHandle;
  apps: AppHandle[];
  prefix: string;
  close(): Promise<void>;
}

/** The environment of an app on loopback against the sim and the emulator, through loadEnv. */
export function stackEnv(
  sim: Pick<InforSim, "ionapi">,
  emu: Pick<SlackEmu, "botToken" | "url">,
  signingSecret: string,
) {
  const env = loadEnv({
    SLACK_BOT_TOKEN: emu.botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: emu.url,
    REDIS_URL,
    IONAPI_JSON: JSON.stringify(sim.ionapi),
    PORT: "0",
  });
  if (!env.ok) throw new Error(JSON.stringify(env.problems));
  return env.env;
}

/**
 * The composed app between the two sandboxes, wired as `serve` wires it: env variables through
 * loadEnv, the demo's routing.yml through the routing loader, every role in one process. `seed`
 * runs against the simulator before the app starts (the first poll imports what it adds today).
 */
export async function startStack(
  name: string,
  seed: (sim: InforSim) => void = () => {},
  /** One app per entry, sharing Redis and prefix: replicas with roles of their own. */
  roleSets: Role[][] = [["all"]],
): Promise<Stack> {
  const prefix = `test:${name}:${randomBytes(4).toString("hex")}:`;
  const sim = await startInforSim({
    port: 0,
    seed: 7,
    data: { suppliersPerCompany: 4, purchaseOrders: 6, invoices: 8, manualVouchers: 2 },
  });
  const signingSecret = randomBytes(16).toString("hex");
  const emu = await startSlackEmu({ port: 0, signingSecret });
  seed(sim);
  const since = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const routing = parseRouting(demoRoutingYaml({ tenant: sim.tenant, since }), "e2e-routing.yml");
  if (!routing.ok) throw new Error(routing.problems.map(formatProblem).join("\n"));
  const env = stackEnv(sim, emu, signingSecret);
  const apps: AppHandle[] = [];
  for (const roles of roleSets) {
    apps.push(
      await startApp({
        env,
        routing: routing.config,
        roles,
        logger: pino({ level: process.env.E2E_LOG ?? "silent" }),
        overrides: {
          prefix,
          port: 0,
          botId: "B0EMUBOT01",
          botUserId: "U0BOT00001",
          shutdownDeadlineMs: 10_000,
          bod: { hmacSecrets: [BOD_SECRET] },
        },
      }),
    );
  }
  const app = apps.find((a) => a.slackRequestUrl) ?? (apps[0] as AppHandle);
  emu.control.setAppRequestUrl(app.slackRequestUrl ?? "");
  return {
    sim,
    emu,
    app,
    apps,
    prefix,
    async close() {
      for (const a of apps) await a.close();
      await emu.close();
      await sim.close();
      const redis = new Redis(REDIS_URL);
      await deleteByPrefix(redis, prefix);
      await redis.quit();
    },
  };
}

/** A PO fully received and an invoice priced above it: a price variance waiting for a decision. */
export function priceVariance(
  sim: InforSim,
  o: { sino: string; cc?: string; poPrice?: string; invoicePrice?: string; qty?: string },
): { puno: string; inbn: number } {
  const data = sim.control.data(sim.tenant);
  const suno = data.suppliers.find((s) => s.cono === 100)?.suno ?? "3000001";
  const cc = o.cc ?? "CC100";
  const qty = o.qty ?? "10";
  const po = sim.control.upsert("po", { SUNO: suno, AIT2: cc }, sim.tenant) as { puno: string };
  sim.control.upsert(
    "poLine",
    { PUNO: po.puno, PNLI: 10, ORQA: qty, PUPR: o.poPrice ?? "48.00" },
    sim.tenant,
  );
  sim.control.upsert("receipt", { PUNO: po.puno, PNLI: 10, RPQA: qty }, sim.tenant);
  const price = o.invoicePrice ?? "52.90";
  const amount = (Number(qty) * Number(price)).toFixed(2);
  const inv = sim.control.upsert(
    "invoice",
    { SUNO: suno, SINO: o.sino, CUAM: amount, PUNO: po.puno, AIT2: cc },
    sim.tenant,
  ) as { inbn: number };
  sim.control.upsert(
    "invoiceLine",
    { INBN: inv.inbn, TRNO: 1, PUNO: po.puno, PNLI: 10, IVQA: qty, GRPR: price, NLAM: amount },
    sim.tenant,
  );
  return { puno: po.puno, inbn: inv.inbn };
}

/** Polls `probe` until it returns a value (bounded); for asynchronous work after an ack. */
export async function eventually<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
