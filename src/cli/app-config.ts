import { type AppEnv, formatEnvProblems, loadEnv } from "../config/env.ts";
import { formatProblem, loadRoutingFile } from "../config/routing-load.ts";
import type { RoutingConfig } from "../config/routing-schema.ts";
import { createLogger, type Logger, secretScrubber } from "../log/logger.ts";
import type { CliIo } from "./io.ts";

export interface LoadedConfig {
  env: AppEnv;
  routing: RoutingConfig;
  logger: Logger;
}

/**
 * Environment and routing.yml for commands that run the app: every problem of both is printed
 * at once (exit code 2 for the caller), never a stack trace. Loaded secrets join the log
 * scrubber before the first log line.
 */
export function loadAppConfig(io: CliIo, routingFlag?: string): LoadedConfig | undefined {
  const env = loadEnv(io.env);
  const file =
    routingFlag ?? (env.ok ? env.env.routingFile : (io.env.ROUTING_FILE ?? "routing.yml"));
  const routing = loadRoutingFile(file);
  let failed = false;
  if (!env.ok) {
    io.stderr.write(formatEnvProblems(env.problems));
    failed = true;
  }
  if (!routing.ok) {
    io.stderr.write(`${routing.problems.map(formatProblem).join("\n")}\n`);
    failed = true;
  }
  if (failed || !env.ok || !routing.ok) return undefined;
  secretScrubber.add(...env.secrets);
  const logger = createLogger({ level: env.env.logLevel });
  return { env: env.env, routing: routing.config, logger };
}
