/**
 * Library entry: embed the bot in another process (`startApp` with env + routing.yml already
 * loaded). Run directly (`node src/main.ts [--role …]`), it is `cloudsuite-slack serve`.
 */
import { serveCommand } from "./cli/serve.ts";

export { AppError, type AppErrorCode } from "./app/errors.ts";
export { startApp } from "./app/start.ts";
export {
  type AppHandle,
  type AppOverrides,
  parseRoles,
  ROLES,
  type Role,
  type StartAppOptions,
} from "./app/types.ts";
export { type AppEnv, formatEnvProblems, loadEnv } from "./config/env.ts";
export { loadRoutingFile } from "./config/routing-load.ts";

if (import.meta.main) {
  serveCommand(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `cloudsuite-slack: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
