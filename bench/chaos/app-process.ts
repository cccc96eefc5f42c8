/**
 * One process of the composed app (src/app `startApp`), started exactly as `serve` starts it
 * (same environment variables, same routing.yml loader), plus the overrides a time-scaled run
 * needs and `serve` has no flags for: the delivery time scale (the emulator runs Slack's clock
 * faster), shorter BullMQ locks (a SIGKILLed worker's jobs come back within seconds instead of
 * 30 s) and per-alert messages (no digests, so every record can be found in a channel).
 *
 *   npx node bench/chaos/app-process.ts --role worker
 *
 * Extra environment: CHAOS_PREFIX, CHAOS_TIME_SCALE, CHAOS_RPM. Prints "ready <web URL>" once
 * started (the URL only with the web role).
 */
import { randomBytes } from "node:crypto";
import { startApp } from "../../src/app/start.ts";
import { parseRoles } from "../../src/app/types.ts";
import { loadAppConfig } from "../../src/cli/app-config.ts";

const roleIndex = process.argv.indexOf("--role");
const roles = parseRoles(process.argv[roleIndex + 1] ?? "all");
if (!roles) {
  process.stderr.write("app-process: --role must be web, worker, scheduler or all\n");
  process.exit(2);
}
const config = loadAppConfig({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  stdinIsTty: false,
});
if (!config) process.exit(2);
const timeScale = Number(process.env.CHAOS_TIME_SCALE ?? "1");
const rpm = Number(process.env.CHAOS_RPM ?? "0");
const app = await startApp({
  ...config,
  roles,
  overrides: {
    prefix: process.env.CHAOS_PREFIX ?? "cs:",
    port: 0,
    botId: "B0EMUBOT01",
    botUserId: "U0BOT00001",
    handleSignals: true,
    shutdownDeadlineMs: 5_000,
    ...(rpm > 0 ? { requestsPerMinute: rpm } : {}),
    bod: { hmacSecrets: [randomBytes(16).toString("hex")] },
    delivery: {
      timeScale,
      lockDurationMs: 5_000,
      stalledIntervalMs: 2_500,
      requestTimeoutMs: 3_000,
      // The emulator stores a dropped post before dropping it; 5 s covers it answering late
      // under the run's load without holding a channel for production's full minute.
      ambiguousGraceMs: 5_000,
      retryDelayMs: 200,
      digests: { enabled: false },
    },
  },
});
// The web role's URL after "ready" (port 0: the chaos run learns it here).
process.stdout.write(`ready ${app.url ?? ""}\n`);
