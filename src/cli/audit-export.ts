import type { AuditFilter } from "../audit/types.ts";
import { commandFlags } from "./flags.ts";
import { type CliCommand, EXIT } from "./io.ts";
import { selectionFlags, withCore } from "./tasks.ts";

export const AUDIT_EXPORT_HELP = `Usage: cloudsuite-slack audit export [--since ISO] [--until ISO]
                                     [--alert ID] [--record KEY] [--channel C] > audit.jsonl

Writes the audit log's entries (oldest first) as JSON Lines to stdout; the count to stderr.
`;

export const auditExportCommand: CliCommand = async (argv, io) => {
  const args = commandFlags(io, "audit export", argv, {
    since: "string",
    until: "string",
    alert: "string",
    record: "string",
    channel: "string",
    routing: "string",
  });
  if (!args) return EXIT.usage;
  if (args.flags.has("help")) {
    io.stdout.write(AUDIT_EXPORT_HELP);
    return EXIT.ok;
  }
  const selection = selectionFlags(args);
  if (typeof selection === "string") {
    io.stderr.write(`audit export: ${selection}\n`);
    return EXIT.usage;
  }
  const filter: AuditFilter = { ...selection };
  const code = await withCore(io, args, "audit-export", async (core) => {
    const n = await core.delivery.audit.exportJsonl(filter, (line) => {
      io.stdout.write(line);
    });
    io.stderr.write(`${n} entr${n === 1 ? "y" : "ies"} exported\n`);
    return EXIT.ok;
  });
  return code ?? EXIT.usage;
};
