import type { ApprovalState } from "../../approvals/types.ts";
import { truncate } from "./limits.ts";

/** block_id of an alert's header (set by blocks/alert.ts), so a decision can restate it. */
export const ALERT_HEADER_BLOCK = "alert.header";

/**
 * What the header says once an approval moved: "✅ Approved: Price variance · Invoice F1100031"
 * instead of a "⚠️" that stays after the decision. Pending keeps the alert's own header.
 */
const HEADER_WORDS: Readonly<Record<ApprovalState, string | undefined>> = {
  pending: undefined,
  hold: "⏸️ On hold",
  escalated: "🚨 Escalated",
  info_requested: "❓ Waiting for information",
  approved: "✅ Approved",
  rejected: "❌ Rejected",
  expired: "⌛ Expired",
  superseded: "🔄 Closed in the ERP",
};

const PREFIXES = [
  "Resolved",
  "On hold",
  "Escalated",
  "Waiting for information",
  "Approved",
  "Rejected",
  "Expired",
  "Closed in the ERP",
];

/** The header's subject without its icon and state word ("Price variance · Invoice F1100031"). */
export function headerSubject(text: string): string {
  let rest = text.replace(/^\S+\s+/, "");
  for (const p of PREFIXES) {
    if (rest.startsWith(`${p}: `)) {
      rest = rest.slice(p.length + 2);
      break;
    }
  }
  return rest;
}

interface HeaderLike {
  type: string;
  block_id?: string;
  text?: unknown;
}

/** The blocks with the alert header restated for `state`; other blocks untouched. */
export function restateHeader<B extends HeaderLike>(
  blocks: readonly B[],
  state: ApprovalState,
): B[] {
  const words = HEADER_WORDS[state];
  return blocks.map((b) => {
    if (b.type !== "header" || b.block_id !== ALERT_HEADER_BLOCK) return b;
    const text = (b.text as { text?: unknown } | undefined)?.text;
    if (typeof text !== "string") return b;
    const subject = headerSubject(text);
    // Pending again (a hold released) shows the alert's own warning.
    const next = words ? `${words}: ${subject}` : `⚠️ ${subject}`;
    return { ...b, text: { type: "plain_text", text: truncate(next, 150), emoji: true } };
  });
}
