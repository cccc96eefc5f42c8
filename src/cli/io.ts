/** What a CLI command may touch; tests pass their own to run commands in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: AsyncIterable<string | Buffer>;
  env: Record<string, string | undefined>;
  /** Whether stdin is an interactive terminal (then we prompt instead of waiting silently). */
  stdinIsTty?: boolean;
}

export type CliCommand = (argv: string[], io: CliIo) => Promise<number>;

/** Exit codes: 0 ok, 1 the command failed, 2 bad usage or bad configuration. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/** `--name value`, `--name=value` and bare `--flag`; no library needed for this little. */
export function parseArgs(argv: string[], booleanFlags: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (booleanFlags.includes(arg.slice(2))) flags.set(arg.slice(2), true);
    else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith("--")) {
        flags.set(arg.slice(2), next);
        i++;
      } else flags.set(arg.slice(2), true);
    }
  }
  return { positional, flags };
}

export async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  let text = "";
  for await (const chunk of stream)
    text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
  return text;
}
