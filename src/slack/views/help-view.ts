import { COMMAND_NAMES, type CommandName, USAGE } from "../commands/parse.ts";
import { context, section } from "./format.ts";
import type { SlackMessage } from "./types.ts";

const WHAT: Readonly<Record<CommandName, string>> = {
  po: "Purchase order: header, lines (ordered / received / invoiced) and open exceptions.",
  invoice: "Supplier invoice: status, amounts, PO match and approval state.",
  supplier: "Supplier card and recent activity; several matches give a pick list.",
  payment: "Payment by its reference or by the invoice it paid.",
  gl: "Recent postings and totals on a GL account, optionally for one period.",
  status: "Pollers, lag, delivery queue, dead letters and ION token.",
  replay: "Re-post alerts from the audit log (admins only).",
  help: "This help, or help for one command.",
};

function entry(name: CommandName): string {
  const u = USAGE[name];
  return `*${name}* · ${WHAT[name]}\n\`${u.form}\`\n${u.examples.map((e) => `e.g. \`${e}\``).join("  ")}`;
}

/** Help for everything, or for one command; `problem` is the parse error to show above it. */
export function helpView(topic?: CommandName, problem?: string): SlackMessage {
  const blocks = [];
  if (problem) blocks.push(section(`:warning: ${problem}`));
  if (topic && topic !== "help") {
    blocks.push(section(entry(topic)));
    blocks.push(context("`/infor help` lists every command."));
  } else {
    blocks.push(
      section(
        "*`/infor` looks things up in Infor CloudSuite.* Answers are only visible to you until you share them.",
      ),
    );
    for (const name of COMMAND_NAMES) blocks.push(section(entry(name)));
  }
  return { text: problem ?? "How to use /infor", blocks };
}
