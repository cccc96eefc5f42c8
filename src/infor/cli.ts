import { readFile } from "node:fs/promises";
import type { Dispatcher } from "undici";
import { createInforClient } from "./create-client.ts";
import { InforError, MiBusinessError } from "./errors.ts";
import { describeIonapi, type IonapiCredentials, parseIonapi } from "./ionapi.ts";

/**
 * CLI handlers (src/cli.ts dispatches to them). Each takes argv after its command words and an
 * io object, and returns the exit code: 0 ok, 1 failure, 2 usage. Secrets are never printed.
 *
 *   ionapi inspect <file>
 *   infor call PROGRAM/TRANSACTION [KEY=VALUE…] [--ionapi <file>] [--v1] [--maxrecs N]
 *                                   [--cono N] [--divi X]
 * `infor call` reads the .ionapi from --ionapi, else INFOR_IONAPI_FILE, else INFOR_IONAPI (inline
 * JSON). Encrypted files are config's business: decrypt there and pass the plain path or JSON.
 */

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

function fail(io: CliIo, err: unknown): number {
  if (err instanceof InforError) {
    const extra = err instanceof MiBusinessError && err.errorCode ? ` [${err.errorCode}]` : "";
    io.stderr.write(`error ${err.code}${extra}: ${err.message}\n`);
  } else {
    io.stderr.write(`error: ${(err as Error).message}\n`);
  }
  return 1;
}

async function loadIonapi(path: string): Promise<IonapiCredentials> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
  }
  return parseIonapi(text);
}

export async function ionapiInspect(argv: string[], io: CliIo): Promise<number> {
  const file = argv.filter((a) => !a.startsWith("-"))[0];
  if (!file || argv.length !== 1) {
    io.stderr.write("usage: ionapi inspect <file.ionapi>\n");
    return 2;
  }
  try {
    const creds = await loadIonapi(file);
    io.stdout.write(`${JSON.stringify(describeIonapi(creds), null, 2)}\n`);
    return 0;
  } catch (err) {
    return fail(io, err);
  }
}

interface CallArgs {
  program: string;
  transaction: string;
  inputs: Record<string, string>;
  ionapi?: string;
  v1: boolean;
  maxrecs: number;
  cono?: string;
  divi?: string;
}

function parseCallArgs(argv: string[]): CallArgs | string {
  const rest = [...argv];
  const target = rest.shift();
  const m = target ? /^([A-Za-z0-9]+)\/([A-Za-z0-9]+)$/.exec(target) : null;
  if (!m?.[1] || !m[2]) return "expected PROGRAM/TRANSACTION, e.g. CRS620MI/GetBasicData";
  const args: CallArgs = {
    program: m[1].toUpperCase(),
    transaction: m[2],
    inputs: {},
    v1: false,
    maxrecs: 100,
  };
  while (rest.length > 0) {
    const a = rest.shift() ?? "";
    if (a === "--v1") args.v1 = true;
    else if (a === "--ionapi" || a === "--maxrecs" || a === "--cono" || a === "--divi") {
      const v = rest.shift();
      if (v === undefined) return `${a} needs a value`;
      if (a === "--ionapi") args.ionapi = v;
      else if (a === "--cono") args.cono = v;
      else if (a === "--divi") args.divi = v;
      else if (!/^\d+$/.test(v)) return "--maxrecs needs a number (0 = all)";
      else args.maxrecs = Number(v);
    } else {
      const eq = a.indexOf("=");
      if (eq <= 0) return `expected KEY=VALUE, got ${JSON.stringify(a)}`;
      args.inputs[a.slice(0, eq).toUpperCase()] = a.slice(eq + 1);
    }
  }
  return args;
}

/** `deps.dispatcher` lets tests route the call through an undici MockAgent. */
export async function inforCall(
  argv: string[],
  io: CliIo,
  deps: { dispatcher?: Dispatcher } = {},
): Promise<number> {
  const args = parseCallArgs(argv);
  if (typeof args === "string") {
    io.stderr.write(
      `${args}\nusage: infor call PROGRAM/TRANSACTION [KEY=VALUE…] [--ionapi <file>] [--v1] [--maxrecs N] [--cono N] [--divi X]\n`,
    );
    return 2;
  }
  let creds: IonapiCredentials;
  try {
    const path = args.ionapi ?? io.env.INFOR_IONAPI_FILE;
    if (path) creds = await loadIonapi(path);
    else if (io.env.INFOR_IONAPI) creds = parseIonapi(io.env.INFOR_IONAPI);
    else {
      io.stderr.write("no .ionapi: pass --ionapi <file> or set INFOR_IONAPI_FILE\n");
      return 2;
    }
  } catch (err) {
    return fail(io, err);
  }
  const client = createInforClient({
    credentials: creds,
    miVersion: args.v1 ? "v1" : "v2",
    requestsPerMinute: 60,
    ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    retry: { maxAttempts: 3, maxTotalMs: 20_000 },
    ...(args.cono ? { company: args.cono } : {}),
    ...(args.divi ? { division: args.divi } : {}),
  });
  try {
    const result = await client.mi.execute(args.program, args.transaction, args.inputs, {
      maxrecs: args.maxrecs,
    });
    io.stdout.write(
      `${JSON.stringify({ program: result.program, transaction: result.transaction, count: result.records.length, records: result.records }, null, 2)}\n`,
    );
    return 0;
  } catch (err) {
    return fail(io, err);
  } finally {
    await client.close();
  }
}
