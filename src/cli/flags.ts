import { parseArgs } from "node:util";
import { nearest } from "../config/suggest.ts";
import { codeOf } from "../shared/error-code.ts";

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/** The flags a command accepts: a string flag takes a value, a boolean one does not. */
export type FlagTypes = Readonly<Record<string, "string" | "boolean">>;

/**
 * A command's flags through node:util parseArgs with `strict: true`. A misspelt flag must stop
 * the command: `replay --dead-letters --chanel C0FIN` once replayed every dead letter because
 * the unknown `--chanel` was ignored. Every command accepts `--help`. Returns the parsed flags,
 * or the usage error (the offending flag named) for the caller to print with exit code 2.
 */
export function parseFlags(
  argv: readonly string[],
  flags: FlagTypes,
  options: { positionals?: boolean } = {},
): ParsedArgs | { error: string } {
  const spec: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" } };
  for (const [name, type] of Object.entries(flags)) spec[name] = { type };
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: spec,
      strict: true,
      allowPositionals: options.positionals ?? false,
    });
    const parsed = new Map<string, string | true>();
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === "string") parsed.set(name, value);
      else if (value === true) parsed.set(name, true);
    }
    return { positional: positionals, flags: parsed };
  } catch (err) {
    return { error: usageText(err, Object.keys(spec)) };
  }
}

/** node's parse errors reworded for an admin: the flag named, a near spelling suggested. */
function usageText(err: unknown, known: string[]): string {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const flag = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flag) {
    const guess = nearest(flag.replace(/^-+/, ""), known);
    return `unknown flag ${flag}${guess ? ` (did you mean --${guess}?)` : ""}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag) {
    return /does not take/.test(message)
      ? `${flag} takes no value`
      : `${flag} needs a value (write ${flag}=VALUE for a value that starts with "-")`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const arg = /'([^']*)'/.exec(message)?.[1] ?? "";
    return `unexpected argument "${arg}"`;
  }
  return message.split("\n")[0] ?? message;
}

/**
 * parseFlags for a command: on a usage error, prints `<command>: <error>` and where its help is,
 * and returns undefined (the command then exits with EXIT.usage).
 */
export function commandFlags(
  io: { stderr: { write(text: string): unknown } },
  command: string,
  argv: readonly string[],
  flags: FlagTypes,
  options: { positionals?: boolean } = {},
): ParsedArgs | undefined {
  const parsed = parseFlags(argv, flags, options);
  if ("error" in parsed) {
    io.stderr.write(
      `${command}: ${parsed.error}\nRun "cloudsuite-slack ${command} --help" for its flags.\n`,
    );
    return undefined;
  }
  return parsed;
}
