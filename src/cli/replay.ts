import type { ReplayFilter } from "../delivery/delivery.ts";
import { type CliCommand, EXIT, parseArgs } from "./io.ts";
import { stringFlag, timeFlag, withCore } from "./tasks.ts";

export const REPLAY_HELP = `Usage: cloudsuite-slack replay [--alert ID | --record KEY | --channel C |
                               --since ISO [--until ISO] | --dead-letters]

Re-queues alerts from the audit log. Alerts already delivered stay as they are (each reaches its
channel once); dead letters are retried. Running workers (serve) post them at Slack's pace.
`;

export const replayCommand: CliCommand = async (argv, io) => {
  const args = parseArgs(argv, ["dead-letters", "help"]);
  if (args.flags.has("help")) {
    io.stdout.write(REPLAY_HELP);
    return EXIT.ok;
  }
  const since = timeFlag(args, "since");
  const until = timeFlag(args, "until");
  for (const t of [since, until]) {
    if (typeof t === "string") {
      io.stderr.write(`replay: ${t}\n`);
      return EXIT.usage;
    }
  }
  const filter: ReplayFilter = {};
  const alert = stringFlag(args, "alert");
  const record = stringFlag(args, "record");
  const channel = stringFlag(args, "channel");
  if (alert) filter.alertId = alert;
  if (record) filter.recordKey = record;
  if (channel) filter.channel = channel;
  if (since instanceof Date) filter.from = since;
  if (until instanceof Date) filter.to = until;
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
