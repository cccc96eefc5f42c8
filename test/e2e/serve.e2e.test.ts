import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { eventually, priceVariance, REDIS_URL } from "./helpers.ts";
import { spawnServe } from "./serve-process.ts";

/**
 * `cloudsuite-slack serve` as an admin runs it: a real process configured only through the
 * environment and routing.yml, posting to the emulator; SIGTERM ends it cleanly (exit 0).
 */
const prefix = `test:e2e-serve:${randomBytes(4).toString("hex")}:`;
let sim: InforSim;
let emu: SlackEmu;
let child: ChildProcess;
let stdout = "";
let stderr = "";
let dir = "";

beforeAll(async () => {
  sim = await startInforSim({
    port: 0,
    seed: 7,
    data: { suppliersPerCompany: 4, purchaseOrders: 6, invoices: 8, manualVouchers: 2 },
  });
  priceVariance(sim, { sino: "E2E-SERVE-1" });
  const signingSecret = randomBytes(16).toString("hex");
  emu = await startSlackEmu({ port: 0, signingSecret });
  ({ child, dir } = spawnServe({
    sim,
    emu,
    signingSecret,
    prefix,
    since: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
    logLevel: "warn",
    tmpName: "cs-serve-",
  }));
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
  await emu?.close();
  await sim?.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe("cloudsuite-slack serve", () => {
  it("starts from the environment, posts alerts, and stops cleanly on SIGTERM", async () => {
    const url = await eventually(
      () => /Slack request URL (\S+)/.exec(stdout)?.[1],
      30_000,
      `the start line (stderr: ${stderr.slice(0, 500)})`,
    );
    emu.control.setAppRequestUrl(url);
    const base = url.replace(/\/slack\/events$/, "");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await eventually(
      () => emu.inspect.messages("C0CC100001").find((m) => /price variance/i.test(m.text ?? "")),
      60_000,
      `the price variance in #cc-100 (process output: ${(stdout + stderr).slice(-1500)})`,
    );
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => resolve(code)),
    );
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    // Secrets never reach the output.
    expect(stdout + stderr).not.toContain(String(sim.ionapi.cs));
    expect(stdout + stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
