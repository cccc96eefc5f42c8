import { AppError } from "../app/errors.ts";
import { startApp } from "../app/start.ts";
import { parseRoles } from "../app/types.ts";
import { loadAppConfig } from "./app-config.ts";
import { commandFlags } from "./flags.ts";
import { type CliCommand, EXIT } from "./io.ts";

export const SERVE_HELP = `Usage: cloudsuite-slack serve [--role web|worker|scheduler|all] [--routing FILE]

Runs the bot. Roles (comma-separated, default all):
  web        Slack commands, buttons and App Home; /healthz /readyz /metrics; POST /ion/bod
  worker     Slack delivery and ERP polls
  scheduler  poll schedules from routing.yml, approval reminders
SIGTERM or SIGINT stops it gracefully (a second signal forces exit).
REDIS_PREFIX (default cs:) puts every key under another prefix, to share one Redis.
`;

export const serveCommand: CliCommand = async (argv, io) => {
  const args = commandFlags(io, "serve", argv, { role: "string", routing: "string" });
  if (!args) return EXIT.usage;
  if (args.flags.has("help")) {
    io.stdout.write(SERVE_HELP);
    return EXIT.ok;
  }
  const roleFlag = args.flags.get("role") ?? io.env.ROLE ?? "all";
  const roles = typeof roleFlag === "string" ? parseRoles(roleFlag) : undefined;
  if (!roles) {
    io.stderr.write(`serve: --role must be web, worker, scheduler or all\n\n${SERVE_HELP}`);
    return EXIT.usage;
  }
  const routingFlag = args.flags.get("routing");
  const config = loadAppConfig(io, typeof routingFlag === "string" ? routingFlag : undefined);
  if (!config) return EXIT.usage;
  try {
    const app = await startApp({
      ...config,
      roles,
      overrides: {
        handleSignals: true,
      },
    });
    io.stdout.write(
      `cloudsuite-slack running (${app.roles.join(", ")})${app.slackRequestUrl ? `; Slack request URL ${app.slackRequestUrl}` : ""}\n`,
    );
    // The process lives until a signal; shutdown exits with its own code.
    await new Promise<never>(() => {});
    return EXIT.ok;
  } catch (err) {
    if (err instanceof AppError) {
      io.stderr.write(`Configuration error (${err.code}): ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
};
