import { readFile } from "node:fs/promises";
import type { Dispatcher } from "undici";
import { createInforClient } from "../infor/create-client.ts";
import { InforError, MiBusinessError, MiPartialResultError } from "../infor/errors.ts";
import {
  describeIonapi,
  type IonapiCredentials,
  type ParseIonapiOptions,
  parseIonapi,
} from "../infor/ionapi.ts";
import { codeOf } from "../shared/error-code.ts";
import { commandFlags, parseFlags } from "./flags.ts";

/**
 * CLI handlers (src/cli.ts dispatches to them). Each takes argv after its command words and an
 * io object, and returns the exit code: 0 ok, 1 failure, 2 usage. Secrets are never printed.
 *
 *   ionapi inspect <file>
 *   infor call PROGRAM/TRANSACTION [KEY=VALUE…] [--ionapi <file>] [--v1] [--maxrecs N]
 *                                   [--cono N] [--divi X]
 * `infor call` reads the .ionapi from --ionapi, else the app's own variables (IONAPI_FILE or
 * IONAPI_JSON, as `serve` reads them; both set is refused as there), each possibly enc:v1.
 */

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /**
   * Turns file content into plain text: the CLI layer decrypts an enc:v1 envelope (what the
   * runbook has admins make with `encrypt-secret --file`). Identity when absent.
   */
  reveal?: (text: string, source: string) => string;
}

function fail(io: CliIo, err: unknown): number {
  if (err instanceof InforError) {
    const extra = err instanceof MiBusinessError && err.errorCode ? ` [${err.errorCode}]` : "";
    io.stderr.write(`error ${err.code}${extra}: ${err.message}\n`);
    if (err instanceof MiPartialResultError) {
      io.stderr.write(
        `${err.partialRecords.length} row(s) came back before the error; the list is incomplete\n`,
      );
    }
  } else {
    io.stderr.write(`error: ${(err as Error).message}\n`);
  }
  return 1;
}

async function loadIonapi(
  path: string,
  io: CliIo,
  options: ParseIonapiOptions = {},
): Promise<IonapiCredentials> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${path}: ${codeOf(err) ?? "error"}`);
  }
  return parseIonapi(io.reveal ? io.reveal(text.trim(), path) : text, options);
}

const INSPECT_USAGE = "usage: ionapi inspect <file.ionapi>\n";
const CALL_USAGE =
  "usage: infor call PROGRAM/TRANSACTION [KEY=VALUE…] [--ionapi <file>] [--v1] [--maxrecs N] [--cono N] [--divi X]\n";

export async function ionapiInspect(argv: string[], io: CliIo): Promise<number> {
  const args = commandFlags(io, "ionapi inspect", argv, {}, { positionals: true });
  if (!args) return 2;
  if (args.flags.has("help")) {
    io.stdout.write(INSPECT_USAGE);
    return 0;
  }
  const file = args.positional[0];
  if (!file || args.positional.length !== 1) {
    io.stderr.write(INSPECT_USAGE);
    return 2;
  }
  try {
    // Describes any app type: a Web-app file is shown with password grant false, not refused.
    const creds = await loadIonapi(file, io, { requireServiceAccount: false });
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

/** Flags through the CLI's strict parser: a misspelt flag is refused, never sent as an input. */
function parseCallArgs(argv: string[]): CallArgs | "help" | { error: string } {
  const parsed = parseFlags(
    argv,
    { ionapi: "string", v1: "boolean", maxrecs: "string", cono: "string", divi: "string" },
    { positionals: true },
  );
  if ("error" in parsed) return parsed;
  if (parsed.flags.has("help")) return "help";
  const [target, ...inputs] = parsed.positional;
  const m = target ? /^([A-Za-z0-9]+)\/([A-Za-z0-9]+)$/.exec(target) : null;
  if (!m?.[1] || !m[2])
    return { error: "expected PROGRAM/TRANSACTION, e.g. CRS620MI/GetBasicData" };
  const flag = (name: string) => {
    const v = parsed.flags.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const args: CallArgs = {
    program: m[1].toUpperCase(),
    transaction: m[2],
    inputs: {},
    v1: parsed.flags.has("v1"),
    maxrecs: 100,
  };
  const ionapi = flag("ionapi");
  const cono = flag("cono");
  const divi = flag("divi");
  const maxrecs = flag("maxrecs");
  if (ionapi !== undefined) args.ionapi = ionapi;
  if (cono !== undefined) args.cono = cono;
  if (divi !== undefined) args.divi = divi;
  if (maxrecs !== undefined) {
    if (!/^\d+$/.test(maxrecs)) return { error: "--maxrecs needs a number (0 = all)" };
    args.maxrecs = Number(maxrecs);
  }
  for (const a of inputs) {
    const eq = a.indexOf("=");
    if (eq <= 0) return { error: `expected KEY=VALUE, got ${JSON.stringify(a)}` };
    args.inputs[a.slice(0, eq).toUpperCase()] = a.slice(eq + 1);
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
  if (args === "help") {
    io.stdout.write(CALL_USAGE);
    return 0;
  }
  if ("error" in args) {
    io.stderr.write(`infor call: ${args.error}\n${CALL_USAGE}`);
    return 2;
  }
  let creds: IonapiCredentials;
  try {
    const inline = io.env.IONAPI_JSON?.trim();
    if (args.ionapi === undefined && io.env.IONAPI_FILE && inline) {
      io.stderr.write("IONAPI_FILE and IONAPI_JSON are both set: keep one\n");
      return 2;
    }
    const path = args.ionapi ?? io.env.IONAPI_FILE;
    if (path) creds = await loadIonapi(path, io);
    else if (inline) {
      let text: string;
      try {
        text = io.reveal ? io.reveal(inline, "IONAPI_JSON") : inline;
      } catch (err) {
        // An envelope without its key is a setup mistake, like a missing variable: usage.
        io.stderr.write(`${(err as Error).message}\n`);
        return 2;
      }
      creds = parseIonapi(text);
    } else {
      io.stderr.write("no .ionapi: pass --ionapi <file> or set IONAPI_FILE or IONAPI_JSON\n");
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
