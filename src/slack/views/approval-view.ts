import type { Approval, ApprovalState } from "../../approvals/types.ts";
import { restateHeader } from "../blocks/header-state.ts";
import { button, context, esc, formatMoney, formatTime, modal, section } from "./format.ts";
import type { SlackBlock } from "./types.ts";

/** Action ids the delivery helper and App Home put on approval buttons (value = approval id). */
export const APPROVAL_ACTIONS = {
  approve: "approval.approve",
  reject: "approval.reject",
  hold: "approval.hold",
  comment: "approval.comment",
  askInfo: "approval.ask_info",
  answerInfo: "approval.answer_info",
} as const;

/** block_id of the actions block, so an update can find and drop it. */
export const APPROVAL_ACTIONS_BLOCK = "approval.actions";

export const REJECT_MODAL_CALLBACK = "approval.reject_modal";
export const REJECT_REASON_BLOCK = "reason";
export const REJECT_REASON_ACTION = "reason_input";
export const COMMENT_MODAL_CALLBACK = "approval.comment_modal";
export const COMMENT_BLOCK = "comment";
export const COMMENT_ACTION = "comment_input";
export const ASK_INFO_CALLBACK = "approval.ask_info_modal";
export const ANSWER_INFO_CALLBACK = "approval.answer_info_modal";
export const INFO_WHOM_BLOCK = "whom";
export const INFO_WHOM_ACTION = "whom_input";
export const INFO_TEXT_BLOCK = "text";
export const INFO_TEXT_ACTION = "text_input";

/**
 * Approve / Reject / Hold buttons. Approve asks for confirmation (Block Kit confirmation
 * dialog); Reject opens a modal for the reason. `withHold` adds the optional Hold button.
 */
export function approvalButtons(
  approvalId: string,
  options: {
    withHold?: boolean;
    withComment?: boolean;
    blockId?: string;
    summary?: string;
    waitingForInfo?: boolean;
  } = {},
): SlackBlock {
  const elements = [
    button("Approve", APPROVAL_ACTIONS.approve, approvalId, {
      style: "primary",
      confirm: {
        title: { type: "plain_text", text: "Approve?" },
        text: {
          type: "mrkdwn",
          text: options.summary ? `Approve ${esc(options.summary)}?` : "Approve this document?",
        },
        confirm: { type: "plain_text", text: "Approve" },
        deny: { type: "plain_text", text: "Cancel" },
      },
    }),
    button("Reject…", APPROVAL_ACTIONS.reject, approvalId, { style: "danger" }),
  ];
  if (options.withHold !== false) elements.push(button("Hold", APPROVAL_ACTIONS.hold, approvalId));
  if (options.withComment !== false) {
    elements.push(button("Comment…", APPROVAL_ACTIONS.comment, approvalId));
  }
  elements.push(
    options.waitingForInfo
      ? button("Answer…", APPROVAL_ACTIONS.answerInfo, approvalId)
      : button("Ask…", APPROVAL_ACTIONS.askInfo, approvalId),
  );
  return { type: "actions", block_id: options.blockId ?? APPROVAL_ACTIONS_BLOCK, elements };
}

const STATE_WORDS: Readonly<Record<ApprovalState, [emoji: string, word: string]>> = {
  pending: [":hourglass_flowing_sand:", "Waiting for approval"],
  hold: [":double_vertical_bar:", "On hold"],
  escalated: [":rotating_light:", "Escalated"],
  info_requested: [":question:", "Waiting for information"],
  approved: [":white_check_mark:", "Approved"],
  rejected: [":x:", "Rejected"],
  expired: [":alarm_clock:", "Expired"],
  superseded: [":arrows_counterclockwise:", "Closed in the ERP"],
};

/** One line saying where an approval stands: "✅ Approved by @ana at 2026-12-01 09:14 UTC". */
export function decisionLine(a: {
  state: ApprovalState;
  by?: string;
  /** The approver a delegate acted for: "by @bo on behalf of @ana". */
  onBehalfOf?: string;
  at?: string;
  reason?: string;
}): string {
  const [emoji, word] = STATE_WORDS[a.state];
  const behalf = a.onBehalfOf ? ` on behalf of <@${a.onBehalfOf}>` : "";
  const who = a.by && a.by !== "system" ? ` by <@${a.by}>${behalf}` : "";
  const when = a.at ? ` at ${formatTime(a.at)}` : "";
  const reason = a.reason && a.state !== "superseded" ? ` · reason: ${esc(a.reason)}` : "";
  return `${emoji} *${word}*${who}${when}${reason}`;
}

/** Approval state in plain words for lookups: "approved by <@U1> at 2026-12-01 09:14 UTC". */
export function plainDecision(a: Approval): string {
  const [, word] = STATE_WORDS[a.state];
  const who = a.decidedBy && a.decidedBy !== "system" ? ` by <@${a.decidedBy}>` : "";
  const when = a.decidedAt ? ` at ${formatTime(a.decidedAt)}` : "";
  return `${word}${who}${when}`;
}

/** Extra note for a superseded approval: what the ERP said. */
export function supersededLine(erpStatus: string, detail?: string): string {
  const what: Record<string, string> = {
    approved: "was approved in the ERP meanwhile",
    rejected: "was rejected in the ERP meanwhile",
    paid: "was paid in the ERP meanwhile",
    changed: "was changed in the ERP since this message was posted",
    cancelled: "was cancelled in the ERP meanwhile",
  };
  return `:arrows_counterclockwise: This document ${what[erpStatus] ?? "changed in the ERP"}${detail ? ` (${esc(detail)})` : ""}. No decision was recorded here; the buttons are gone.`;
}

/**
 * The original alert with its approval buttons removed and the decision stamped at the end.
 * Works on whatever the delivery helper rendered: only our actions block is dropped.
 */
export function stampDecision(
  original: SlackBlock[],
  lines: string[],
  state?: ApprovalState,
): SlackBlock[] {
  // The decision answers the ask line ("approval.ask", blocks/alert.ts): it goes with the buttons.
  const filtered = original.filter(
    (b) =>
      !isApprovalActions(b) && b.block_id !== "approval.stamp" && b.block_id !== "approval.ask",
  );
  const kept = state ? restateHeader(filtered, state) : filtered;
  kept.push({ ...context(...lines), block_id: "approval.stamp" });
  return kept;
}

/**
 * The approval's Ask… / Answer… button made to fit its state (the rest of the buttons unchanged):
 * a question sent turns Ask… into Answer…, the answer turns it back.
 */
export function withInfoButton(blocks: SlackBlock[], waitingForInfo: boolean): SlackBlock[] {
  const wanted = waitingForInfo ? APPROVAL_ACTIONS.answerInfo : APPROVAL_ACTIONS.askInfo;
  return blocks.map((b) => {
    if (!isApprovalActions(b) || !Array.isArray(b.elements)) return b;
    const elements = b.elements as { action_id?: string; value?: string }[];
    const value = elements.find((e) => typeof e.value === "string")?.value;
    if (value === undefined) return b;
    const kept = elements.filter(
      (e) =>
        e.action_id !== APPROVAL_ACTIONS.askInfo && e.action_id !== APPROVAL_ACTIONS.answerInfo,
    );
    const text = wanted === APPROVAL_ACTIONS.answerInfo ? "Answer…" : "Ask…";
    return { ...b, elements: [...kept, button(text, wanted, value)] };
  });
}

/** Question and answer modals: who is asked (the requester by default) and the text. */
export function askInfoModal(input: {
  approval: Approval;
  privateMetadata: string;
  /** Slack user to preselect (who entered the document, when known). */
  requester?: string;
}): Record<string, unknown> {
  const whom: Record<string, unknown> = { type: "users_select", action_id: INFO_WHOM_ACTION };
  if (input.requester) whom.initial_user = input.requester;
  return modal({
    callbackId: ASK_INFO_CALLBACK,
    privateMetadata: input.privateMetadata,
    title: "Ask for information",
    submit: "Ask",
    close: "Cancel",
    blocks: [
      section(
        `*${esc(input.approval.title)}*\n${formatMoney(input.approval.amount)} · it waits for the answer before anyone decides`,
      ),
      {
        type: "input",
        block_id: INFO_WHOM_BLOCK,
        label: { type: "plain_text", text: "Whom to ask" },
        element: whom,
      },
      {
        type: "input",
        block_id: INFO_TEXT_BLOCK,
        label: { type: "plain_text", text: "Question (posted in the alert's thread and audited)" },
        element: {
          type: "plain_text_input",
          action_id: INFO_TEXT_ACTION,
          multiline: true,
          min_length: 3,
          max_length: 1000,
        },
      },
    ],
  });
}

export function answerInfoModal(input: {
  approval: Approval;
  privateMetadata: string;
}): Record<string, unknown> {
  const q = input.approval.info;
  return modal({
    callbackId: ANSWER_INFO_CALLBACK,
    privateMetadata: input.privateMetadata,
    title: "Answer",
    submit: "Answer",
    close: "Cancel",
    blocks: [
      section(`*${esc(input.approval.title)}*${q ? `\n<@${q.by}> asks: ${esc(q.question)}` : ""}`),
      {
        type: "input",
        block_id: INFO_TEXT_BLOCK,
        label: {
          type: "plain_text",
          text: "Answer (posted in the thread; the approvers decide next)",
        },
        element: {
          type: "plain_text_input",
          action_id: INFO_TEXT_ACTION,
          multiline: true,
          max_length: 1000,
        },
      },
    ],
  });
}

/** Hold keeps the buttons (a held document can still be approved or rejected) and adds a line. */
export function stampHold(
  original: SlackBlock[],
  line: string,
  state?: ApprovalState,
): SlackBlock[] {
  const filtered = original.filter((b) => b.block_id !== "approval.stamp");
  const kept = state ? restateHeader(filtered, state) : filtered;
  const at = kept.findIndex(isApprovalActions);
  const stamp = { ...context(line), block_id: "approval.stamp" };
  if (at === -1) kept.push(stamp);
  else kept.splice(at, 0, stamp);
  return kept;
}

function isApprovalActions(b: SlackBlock): boolean {
  if (b.type !== "actions") return false;
  if (b.block_id === APPROVAL_ACTIONS_BLOCK) return true;
  const elements = Array.isArray(b.elements) ? (b.elements as { action_id?: unknown }[]) : [];
  return elements.some(
    (e) => typeof e.action_id === "string" && e.action_id.startsWith("approval."),
  );
}

/** Fallback body when the original message can't be read: the approval's own summary. */
export function approvalSummaryBlocks(a: Approval): SlackBlock[] {
  return [
    section(`*${esc(a.title)}*\n${formatMoney(a.amount)} · cost center ${esc(a.costCenter)}`),
  ];
}

export function commentModal(input: {
  approval: Approval;
  privateMetadata: string;
}): Record<string, unknown> {
  return modal({
    callbackId: COMMENT_MODAL_CALLBACK,
    privateMetadata: input.privateMetadata,
    title: "Comment",
    submit: "Post",
    close: "Cancel",
    blocks: [
      section(`*${esc(input.approval.title)}*\n${formatMoney(input.approval.amount)}`),
      {
        type: "input",
        block_id: COMMENT_BLOCK,
        label: { type: "plain_text", text: "Comment (posted in the alert's thread and audited)" },
        element: {
          type: "plain_text_input",
          action_id: COMMENT_ACTION,
          multiline: true,
          max_length: 1000,
        },
      },
    ],
  });
}

export function rejectModal(input: {
  approval: Approval;
  privateMetadata: string;
  /** Another callback (the whole-invoice rejection) with the same form. */
  callbackId?: string;
  /** Heading instead of the approval's own title (e.g. "Invoice 77: 2 open lines"). */
  title?: string;
}): Record<string, unknown> {
  return modal({
    callbackId: input.callbackId ?? REJECT_MODAL_CALLBACK,
    privateMetadata: input.privateMetadata,
    title: "Reject",
    submit: "Reject",
    close: "Cancel",
    blocks: [
      section(
        input.title
          ? `*${esc(input.title)}*`
          : `*${esc(input.approval.title)}*\n${formatMoney(input.approval.amount)} · cost center ${esc(input.approval.costCenter)}`,
      ),
      {
        type: "input",
        block_id: REJECT_REASON_BLOCK,
        label: { type: "plain_text", text: "Reason (the requester will see it)" },
        element: {
          type: "plain_text_input",
          action_id: REJECT_REASON_ACTION,
          multiline: true,
          min_length: 3,
          max_length: 500,
        },
      },
    ],
  });
}
