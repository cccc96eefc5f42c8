import { explainApproverAsks } from "../config/approver-asks.ts";
import { type AppEnv, formatEnvProblems, loadEnv } from "../config/env.ts";
import { explainNoise } from "../config/noise-policy.ts";
import { formatProblem, loadRoutingFile } from "../config/routing-load.ts";
import { explainWebhooks } from "../config/webhook-explain.ts";
import { checkOnline } from "./check-online.ts";
import { commandFlags } from "./flags.ts";
import { type CliCommand, EXIT } from "./io.ts";

export const CHECK_CONFIG_HELP = `Usage: cloudsuite-slack check-config [--routing FILE] [--env] [--online]

Checks routing.yml (FILE, or ROUTING_FILE, or ./routing.yml) and, with --env or when no
--routing is given, the environment. Prints every problem with its file, line and key.
--online also signs in to ION with the .ionapi and reads one small page of every configured
entity, printing per entity whether it works and, when not, M3's or SyteLine's own message.
Exit code 0 when all is well, 2 for configuration problems, 1 when an entity cannot be read.
`;

export const checkConfig: CliCommand = async (argv, io) => {
  const args = commandFlags(io, "check-config", argv, {
    routing: "string",
    env: "boolean",
    online: "boolean",
  });
  if (!args) return EXIT.usage;
  if (args.flags.has("help")) {
    io.stdout.write(CHECK_CONFIG_HELP);
    return EXIT.ok;
  }
  const routing0 = args.flags.get("routing");
  const routingFlag = typeof routing0 === "string" ? routing0 : undefined;
  let failed = false;
  const online = args.flags.has("online");
  const checkEnv = args.flags.has("env") || online || routingFlag === undefined;
  let appEnv: AppEnv | undefined;
  let ionapiTenant: string | undefined;
  let ionapiVariable = "IONAPI_FILE";
  if (checkEnv) {
    const env = loadEnv(io.env);
    if (env.ok) {
      io.stdout.write("environment: ok\n");
      appEnv = env.env;
      ionapiTenant = env.env.ionapiTenant;
      if (env.env.ionapiSource === "IONAPI_JSON") ionapiVariable = "IONAPI_JSON";
    } else {
      io.stderr.write(formatEnvProblems(env.problems));
      failed = true;
    }
  }
  const file = routingFlag ?? io.env.ROUTING_FILE ?? "routing.yml";
  const routing = loadRoutingFile(file);
  if (routing.ok) {
    const { tenants, costCenters } = routing.config;
    const companies = tenants.reduce((n, t) => n + t.companies.length, 0);
    io.stdout.write(
      `${file}: ok (${tenants.length} tenant(s), ${companies} compan${companies === 1 ? "y" : "ies"}, ${Object.keys(costCenters).length} cost center(s))\n`,
    );
    // What each channel will hear: the noise defaults are a choice people should see.
    for (const line of explainNoise(routing.config)) io.stdout.write(`${line}\n`);
    for (const line of explainApproverAsks(routing.config)) io.stdout.write(`${line}\n`);
    const hooks = explainWebhooks(
      routing.config,
      appEnv ? new Set(Object.keys(appEnv.webhookSecrets)) : undefined,
    );
    for (const line of hooks.lines) io.stdout.write(`${line}\n`);
    for (const p of hooks.problems) io.stderr.write(`${p}\n`);
    if (hooks.problems.length > 0) failed = true;
    // serve refuses a routing tenant the .ionapi is not for (src/app/infor.ts): say so here.
    for (const t of ionapiTenant === undefined ? [] : tenants) {
      if (t.id === ionapiTenant) continue;
      io.stderr.write(
        `${file}: tenant "${t.id}" does not match the .ionapi ${ionapiVariable} (ti "${ionapiTenant}")\n`,
      );
      failed = true;
    }
  } else {
    io.stderr.write(`${routing.problems.map(formatProblem).join("\n")}\n`);
    failed = true;
  }
  if (failed) return EXIT.usage;
  if (online && appEnv && routing.ok) {
    const ok = await checkOnline({ env: appEnv, routing: routing.config, io });
    return ok ? EXIT.ok : EXIT.failed;
  }
  return EXIT.ok;
};
