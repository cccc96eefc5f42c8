import type { Approval } from "../../approvals/types.ts";
import { approvalButtons, decisionLine } from "./approval-view.ts";
import {
  context,
  divider,
  esc,
  formatMoney,
  formatTime,
  header,
  LIMITS,
  section,
} from "./format.ts";
import type { SlackBlock } from "./types.ts";

export interface HomeInput {
  userId: string;
  pending: Approval[];
  recent: Approval[];
  health: { name: string; ok: boolean; detail?: string }[];
  now: number;
}

// Each pending item takes 2 blocks; leave room for the other sections inside Slack's 100.
const MAX_PENDING = 20;
const MAX_RECENT = 10;

/** The Home tab for one user: what waits for them, what they decided, whether the link is up. */
export function homeView(input: HomeInput): { type: "home"; blocks: SlackBlock[] } {
  const blocks: SlackBlock[] = [header("Waiting for your decision")];
  if (input.pending.length === 0) {
    blocks.push(section("Nothing waits for you. :tada:"));
  }
  for (const a of input.pending.slice(0, MAX_PENDING)) {
    const state =
      a.state === "pending"
        ? ""
        : ` · ${decisionLine({ state: a.state, ...(a.decidedBy ? { by: a.decidedBy } : {}) })}`;
    blocks.push(
      section(
        `*${esc(a.title)}*\n${formatMoney(a.amount)} · cost center ${esc(a.costCenter)} · since ${formatTime(a.createdAt)}${state}`,
      ),
      approvalButtons(a.id, { blockId: `home.${a.id}`, summary: a.title }),
    );
  }
  if (input.pending.length > MAX_PENDING) {
    blocks.push(
      context(`${input.pending.length - MAX_PENDING} more waiting; the oldest are shown.`),
    );
  }
  blocks.push(divider, header("Your recent decisions"));
  if (input.recent.length === 0) blocks.push(context("No decisions yet."));
  else {
    blocks.push(
      section(
        input.recent
          .slice(0, MAX_RECENT)
          .map(
            (a) =>
              `• ${esc(a.title)} · ${formatMoney(a.amount)} · ${decisionLine({
                state: a.state,
                // The list holds what this user touched (a hold, say); name whoever decided last.
                ...(a.decidedBy && a.decidedBy !== input.userId ? { by: a.decidedBy } : {}),
                ...(a.decidedAt ? { at: a.decidedAt } : {}),
                ...(a.reason ? { reason: a.reason } : {}),
              })}`,
          )
          .join("\n"),
      ),
    );
  }
  blocks.push(divider, header("Connection health"));
  blocks.push(
    section(
      input.health.length === 0
        ? "No health information."
        : input.health
            .map(
              (h) =>
                `${h.ok ? ":large_green_circle:" : ":red_circle:"} *${esc(h.name)}*${h.detail ? ` · ${esc(h.detail)}` : ""}`,
            )
            .join("\n"),
    ),
    context(`Updated ${formatTime(new Date(input.now).toISOString())}`),
  );
  return { type: "home", blocks: blocks.slice(0, LIMITS.surfaceBlocks) };
}
