import { Readable } from "node:stream";
import type { CliIo } from "../../src/cli/io.ts";

/** A CliIo that keeps what the CLI writes, for tests that run `runCli` in-process. */
export function captureIo(env: Record<string, string> = {}, stdin = "") {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    stdin: Readable.from([stdin]),
    env,
  };
  return { io, out: () => out.join(""), err: () => err.join("") };
}
