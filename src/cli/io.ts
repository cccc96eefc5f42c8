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

export async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  let text = "";
  for await (const chunk of stream)
    text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
  return text;
}
