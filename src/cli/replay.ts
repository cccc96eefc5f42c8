import type { ReplayFilter } from "../delivery/delivery.ts";
import { commandFlags } from "./flags.ts";
import { type CliCommand, EXIT } from "./io.ts";
import { selectionFlags, withCore } from "./tasks.ts";

export const REPLAY_HELP = `Usage: cloudsuite-slack replay [--alert ID | --record KEY | --channel C |
                               --since ISO [--until ISO] | --dead-letters]

Re-queues alerts from the audit log. Alerts already delivered stay as they are (each reaches its
channel once); dead letters are retried. Running workers (serve) post them at Slack's pace.
`;

export const replayCommand: CliCommand = async (argv, io) => {
  const args = commandFlags(io, "replay", argv, {
    since: "string",
    until: "string",
    alert: "string",
    record: "string",
    channel: "string",
    routing: "string",
    "dead-letters": "boolean",
  });
  if (!args) return EXIT.usage;
  if (args.flags.has("help")) {
    io.stdout.write(REPLAY_HELP);
    return EXIT.ok;
  }
  const selection = selectionFlags(args);
  if (typeof selection === "string") {
    io.stderr.write(`replay: ${selection}\n`);
    return EXIT.usage;
  }
  const filter: ReplayFilter = { ...selection };
  if (args.flags.has("dead-letters")) filter.deadLetters = true;
  if (Object.keys(filter).length === 0) {
    io.stderr.write(`replay: say what to replay\n\n${REPLAY_HELP}`);
    return EXIT.usage;
  }
  const code = await withCore(io, args, "replay", async (core) => {
    const result = await core.delivery.replay(filter);
    io.stdout.write(
      `${JSON.stringify({ requeued: result.requeued.length, alreadyDelivered: result.alreadyDelivered.length, alertIds: result.requeued }, null, 2)}\n`,
    );
    return EXIT.ok;
  });
  return code ?? EXIT.usage;
};
