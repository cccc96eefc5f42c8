import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoRoutingYaml } from "../../sandbox/demo/routing.ts";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import { REDIS_URL } from "./helpers.ts";

const root = new URL("../../", import.meta.url).pathname;

/**
 * `cloudsuite-slack serve --role all` as an admin starts it: configured only through the
 * environment, the demo routing.yml and a .ionapi file (mode 600) in a fresh temp folder `dir`
 * (the caller removes it), Redis keys under `prefix`.
 */
export function spawnServe(o: {
  sim: InforSim;
  emu: SlackEmu;
  signingSecret: string;
  prefix: string;
  /** First day the routing's first run reads from (YYYY-MM-DD). */
  since: string;
  logLevel: string;
  tmpName: string;
}): { child: ChildProcess; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), o.tmpName));
  const routingFile = join(dir, "routing.yml");
  writeFileSync(routingFile, demoRoutingYaml({ tenant: o.sim.tenant, since: o.since }));
  const ionapiFile = join(dir, "tenant.ionapi");
  writeFileSync(ionapiFile, JSON.stringify(o.sim.ionapi), { mode: 0o600 });
  const child = spawn(process.execPath, [join(root, "src/cli.ts"), "serve", "--role", "all"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      SLACK_BOT_TOKEN: o.emu.botToken,
      SLACK_SIGNING_SECRET: o.signingSecret,
      SLACK_API_URL: o.emu.url,
      REDIS_URL,
      REDIS_PREFIX: o.prefix,
      IONAPI_FILE: ionapiFile,
      ROUTING_FILE: routingFile,
      PORT: "0",
      LOG_LEVEL: o.logLevel,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { child, dir };
}
