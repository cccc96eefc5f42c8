import type { Alert } from "../../alerts/alert.ts";
import type { DecisionView } from "../../approvals/decisions.ts";
import { decisionLine } from "../views/approval-view.ts";
import { ASK_BLOCK, approvalActions, decisionSummary } from "./alert.ts";
import { isMultiLine, withLineDecisions } from "./document.ts";
import { restateHeader } from "./header-state.ts";
import { capBlocks, LIMITS, truncate } from "./limits.ts";
import type { Block, SlackMessage } from "./types.ts";

/** block_id of the decision line; the click handlers (views/approval-view.ts) use the same. */
export const STAMP_BLOCK = "approval.stamp";

const OPEN = new Set(["pending", "hold", "escalated", "info_requested"]);

/**
 * A freshly rendered alert made consistent with its approval: an open approval keeps its buttons
 * (also when the new alert has none) and a hold or escalation keeps its line; a decided one loses them and is
 * stamped who / when / why, as the click handler stamped it. A resolved exception never offers
 * buttons, and its superseded approval needs no stamp (the message says why it closed).
 */
export function withDecision(
  message: SlackMessage,
  alert: Alert,
  d: DecisionView | undefined,
): SlackMessage {
  if (!d) return message;
  if (isMultiLine(alert)) return withLineDecisions(message, alert, d.lines ?? {});
  // Room for the stamp and the buttons inside the 50-block limit.
  const body = capBlocks(
    restateHeader(
      message.blocks.filter((b) => !isApprovalBlock(b)),
      alert.kind === "exception.resolved" ? "pending" : d.state,
    ),
    LIMITS.messageBlocks - 2,
  );
  const resolved = alert.kind === "exception.resolved";
  const line = decisionLine({
    state: d.state,
    ...(d.by ? { by: d.by } : {}),
    ...(d.at ? { at: d.at } : {}),
    ...(d.reason ? { reason: d.reason } : {}),
  });
  const words = d.stamp && d.stamp.length > 0 ? d.stamp : [line];
  const stamp: Block = {
    type: "context",
    block_id: STAMP_BLOCK,
    elements: words.map((w) => ({ type: "mrkdwn", text: truncate(w, LIMITS.contextText) })),
  };
  if (OPEN.has(d.state)) {
    if (resolved) return { text: message.text, blocks: body };
    const allowHold =
      alert.needsDecision?.approvalId === d.approvalId ? alert.needsDecision.allowHold : true;
    const actions = approvalActions(
      d.approvalId,
      allowHold,
      decisionSummary(alert),
      d.state === "info_requested",
    );
    // Still open: the approvers are still asked.
    const ask = message.blocks.filter((b) => b.block_id === ASK_BLOCK);
    // Pending shows no line unless the deciding side just wrote one (an answer to a question).
    if (d.state === "pending" && !d.stamp)
      return { text: message.text, blocks: [...body, ...ask, actions] };
    // Hold and escalation keep a line above the buttons, as the click handler and sweep put it.
    return { text: message.text, blocks: [...body, ...ask, stamp, actions] };
  }
  if (resolved && d.state === "superseded") return { text: message.text, blocks: body };
  return {
    text: truncate(`${message.text} · ${plain(words[0] ?? line)}`, LIMITS.fallbackText),
    blocks: [...body, stamp],
  };
}

function isApprovalBlock(b: Block): boolean {
  if (b.block_id === STAMP_BLOCK || b.block_id === ASK_BLOCK) return true;
  if (b.type !== "actions") return false;
  return b.elements.some((e) => e.action_id.startsWith("approval."));
}

/** Notification text: no emoji codes or bold marks; date tokens reduced to their UTC fallback. */
function plain(line: string): string {
  return line
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, "$1")
    .replace(/:[a-z_]+:\s*/g, "")
    .replace(/\*/g, "");
}
