import type { Money } from "../../shared/money.ts";
import { LIMITS, truncate } from "../blocks/limits.ts";
import type { SlackBlock } from "./types.ts";

export { LIMITS, truncate };

/** Escape the three characters Slack reserves in mrkdwn and plain text (&, <, >). */
export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Like `esc`, but keeps user mentions (`<@U123>`) that our own text puts in on purpose. */
export function escKeepMentions(text: string): string {
  return esc(text).replace(/&lt;@([UW][A-Z0-9]+)&gt;/g, "<@$1>");
}

/** "1234567.5" EUR → "1,234,567.50 EUR" without ever touching a float. */
export function formatMoney(m: Money): string {
  const negative = m.amount.startsWith("-");
  const [int = "0", frac = ""] = (negative ? m.amount.slice(1) : m.amount).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = frac.length >= 2 ? frac : frac.padEnd(2, "0");
  return `${negative ? "-" : ""}${grouped}.${cents} ${m.currency}`;
}

export function formatQty(q: string): string {
  return q.includes(".") ? q.replace(/\.?0+$/, "") : q;
}

/**
 * A time for people. UTC inside; Slack's date token (`<!date^epoch^format|fallback>`, Slack
 * "Formatting text for app surfaces") shows it in each reader's own time zone and clock format,
 * and clients that can't render it show the UTC fallback "2026-12-01 09:14 UTC".
 */
export function formatTime(iso: string | undefined): string {
  if (!iso) return "unknown time";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return esc(iso);
  const fallback = `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `<!date^${Math.floor(d.getTime() / 1000)}^{date_num} {time}|${fallback}>`;
}

export function header(text: string): SlackBlock {
  return {
    type: "header",
    text: { type: "plain_text", text: truncate(text, LIMITS.headerText), emoji: true },
  };
}

export function section(mrkdwn: string, extra: Record<string, unknown> = {}): SlackBlock {
  return {
    type: "section",
    text: { type: "mrkdwn", text: truncate(mrkdwn, LIMITS.sectionText) },
    ...extra,
  };
}

export function fields(pairs: [label: string, value: string][]): SlackBlock {
  return {
    type: "section",
    fields: pairs.slice(0, LIMITS.sectionFields).map(([label, value]) => ({
      type: "mrkdwn",
      text: truncate(`*${label}*\n${value || "–"}`, LIMITS.fieldText),
    })),
  };
}

export function context(...lines: string[]): SlackBlock {
  return {
    type: "context",
    elements: lines
      .slice(0, LIMITS.contextElements)
      .map((t) => ({ type: "mrkdwn", text: truncate(t, LIMITS.contextText) })),
  };
}

export const divider: SlackBlock = { type: "divider" };

export function button(
  text: string,
  actionId: string,
  value: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: "button",
    text: { type: "plain_text", text: truncate(text, LIMITS.buttonText), emoji: true },
    action_id: actionId,
    value,
    ...extra,
  };
}

/** Keep a message under the block cap (same rule as blocks/limits.ts `capBlocks`, for our plain block type), saying what was cut rather than failing with invalid_blocks. */
export function capBlocks(blocks: SlackBlock[], max: number = LIMITS.messageBlocks): SlackBlock[] {
  if (blocks.length <= max) return blocks;
  const kept = blocks.slice(0, max - 1);
  kept.push(context(`… ${blocks.length - kept.length} more blocks not shown.`));
  return kept;
}

/** A modal view: Slack's title/submit/close shell around the blocks (no submit: a read-only modal). */
export function modal(o: {
  callbackId: string;
  privateMetadata?: string;
  title: string;
  submit?: string;
  close: string;
  blocks: unknown[];
}): Record<string, unknown> {
  return {
    type: "modal",
    callback_id: o.callbackId,
    ...(o.privateMetadata !== undefined ? { private_metadata: o.privateMetadata } : {}),
    title: { type: "plain_text", text: o.title },
    ...(o.submit !== undefined ? { submit: { type: "plain_text", text: o.submit } } : {}),
    close: { type: "plain_text", text: o.close },
    blocks: o.blocks,
  };
}
