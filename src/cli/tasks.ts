import type { Core } from "../app/core.ts";
import { createCore } from "../app/core.ts";
import { loadAppConfig } from "./app-config.ts";
import type { ParsedArgs } from "./flags.ts";
import type { CliIo } from "./io.ts";

/** Runs `task` on the composed core (no servers, no workers), then closes it. */
export async function withCore(
  io: CliIo,
  args: ParsedArgs,
  name: string,
  task: (core: Core) => Promise<number>,
): Promise<number | undefined> {
  const routingFlag = args.flags.get("routing");
  const config = loadAppConfig(io, typeof routingFlag === "string" ? routingFlag : undefined);
  if (!config) return undefined;
  const core = createCore({
    ...config,
    prefix: config.env.redisPrefix,
    connectionName: `cloudsuite-slack:${name}`,
  });
  try {
    return await task(core);
  } finally {
    await core.close();
  }
}

/** `--since` / `--until`: an ISO date or date-time; undefined when absent, an error text when bad. */
export function timeFlag(args: ParsedArgs, name: string): Date | undefined | string {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  if (v === true) return `--${name} needs an ISO date or date-time`;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? `--${name}: "${v}" is not an ISO date or date-time` : d;
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === "string" ? v : undefined;
}

/** What `replay` and `audit export` select by: a time range, an alert, a record, a channel. */
export interface Selection {
  from?: Date;
  to?: Date;
  alertId?: string;
  recordKey?: string;
  channel?: string;
}

/** The selection flags, or the error text for a bad `--since` / `--until`. */
export function selectionFlags(args: ParsedArgs): Selection | string {
  const since = timeFlag(args, "since");
  const until = timeFlag(args, "until");
  if (typeof since === "string") return since;
  if (typeof until === "string") return until;
  const selection: Selection = {};
  if (since) selection.from = since;
  if (until) selection.to = until;
  const alert = stringFlag(args, "alert");
  const record = stringFlag(args, "record");
  const channel = stringFlag(args, "channel");
  if (alert) selection.alertId = alert;
  if (record) selection.recordKey = record;
  if (channel) selection.channel = channel;
  return selection;
}
