#!/usr/bin/env node
import { auditExportCommand } from "./cli/audit-export.ts";
import { backfillCommand } from "./cli/backfill.ts";
import { checkConfig } from "./cli/check-config.ts";
import { inforCallCommand, ionapiInspectCommand } from "./cli/infor.ts";
import { type CliCommand, type CliIo, EXIT } from "./cli/io.ts";
import { replayCommand } from "./cli/replay.ts";
import { encryptSecretCommand, generateKeyCommand, rotateSecretCommand } from "./cli/secrets.ts";
import { serveCommand } from "./cli/serve.ts";

/** Commands by name; each later concern registers its own here. */
export const COMMANDS: Record<string, { run: CliCommand; summary: string }> = {
  "check-config": { run: checkConfig, summary: "validate routing.yml and the environment" },
  "encrypt-secret": { run: encryptSecretCommand, summary: "encrypt a secret read from stdin" },
  "rotate-secret": {
    run: rotateSecretCommand,
    summary: "re-encrypt an envelope under the newest key",
  },
  "generate-key": { run: generateKeyCommand, summary: "print a new encryption key" },
  serve: { run: serveCommand, summary: "run the bot (--role web|worker|scheduler|all)" },
  replay: { run: replayCommand, summary: "re-queue alerts from the audit log" },
  backfill: { run: backfillCommand, summary: "import history: --entity E --since YYYY-MM-DD" },
  "audit export": { run: auditExportCommand, summary: "write the audit log as JSON Lines" },
  "ionapi inspect": { run: ionapiInspectCommand, summary: "show what a .ionapi file holds" },
  "infor call": { run: inforCallCommand, summary: "call one M3 MI transaction" },
};

export const HELP = `cloudsuite-slack: Infor CloudSuite finance in Slack

Usage: cloudsuite-slack <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(16)}${c.summary}`)
  .join("\n")}

Run "cloudsuite-slack <command> --help" for a command's options.
`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  // Two-word commands ("ionapi inspect", "infor call") are registered with a space.
  const two = rest[0] ? `${name} ${rest[0]}` : "";
  const command = COMMANDS[two]
    ? { c: COMMANDS[two], args: rest.slice(1) }
    : { c: COMMANDS[name], args: rest };
  if (!command.c) {
    io.stderr.write(`Unknown command "${name}".\n\n${HELP}`);
    return EXIT.usage;
  }
  return command.c.run(command.args, io);
}

if (import.meta.main) {
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    stdinIsTty: Boolean(process.stdin.isTTY),
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // No stack trace for the admin; the message only (secrets are never in our messages).
      process.stderr.write(
        `cloudsuite-slack: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exitCode = EXIT.failed;
    },
  );
}
