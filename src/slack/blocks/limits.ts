import type { Block, SlackMessage } from "./types.ts";

/**
 * Slack's Block Kit limits (docs.slack.dev/reference/block-kit/blocks and /block-elements).
 * Over a limit Slack answers `invalid_blocks` or `msg_too_long`, so builders cut before sending.
 */
export const LIMITS = {
  /** blocks in one message (modals and the Home tab allow 100) */
  messageBlocks: 50,
  surfaceBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 2000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  // Confirmation dialog: title 100, text 300, confirm/deny button labels 30 characters each.
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  actionId: 255,
  blockId: 255,
  /** chat.postMessage `text`: Slack truncates past 40,000 characters; we keep fallbacks short. */
  messageText: 40000,
  fallbackText: 3000,
} as const;

const ELLIPSIS = "…";

/** Cut `text` to at most `max` characters (code points, so emoji are never split), ending in "…". */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 0) return "";
  return `${chars.slice(0, max - 1).join("")}${ELLIPSIS}`;
}

export function charLength(text: string): number {
  return Array.from(text).length;
}

/**
 * Join lines into chunks of at most `max` characters each (newline-separated); a single line
 * longer than `max` is truncated. Used to spread long lists over several sections.
 */
export function chunkLines(lines: readonly string[], max: number): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const raw of lines) {
    const line = truncate(raw, max);
    const candidate = current === "" ? line : `${current}\n${line}`;
    if (charLength(candidate) > max && current !== "") {
      chunks.push(current);
      current = line;
    } else {
      current = candidate;
    }
  }
  if (current !== "") chunks.push(current);
  return chunks;
}

/**
 * Keep the first lines that fit in `max` characters and end with "…and N more" when some do not,
 * so a reader always knows the list was cut.
 */
export function fitLines(lines: readonly string[], max: number, more = moreLine): string {
  const all = lines.map((l) => truncate(l, max)).join("\n");
  if (charLength(all) <= max) return all;
  const kept: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = truncate(lines[i] ?? "", max);
    const rest = lines.length - i - 1;
    const tail = rest > 0 ? `\n${more(rest)}` : "";
    const next = used + (kept.length > 0 ? 1 : 0) + charLength(line);
    if (next + charLength(tail) > max) {
      const omitted = lines.length - i;
      kept.push(more(omitted));
      return kept.join("\n");
    }
    kept.push(line);
    used = next;
  }
  return kept.join("\n");
}

export function moreLine(count: number): string {
  return `_…and ${count} more_`;
}

/**
 * Split blocks over several messages of at most `maxBlocks` each (header-first messages keep
 * their header). The first message carries the fallback text; later ones say "(continued)".
 */
export function splitMessage(
  message: SlackMessage,
  maxBlocks: number = LIMITS.messageBlocks,
): SlackMessage[] {
  if (message.blocks.length <= maxBlocks) return [message];
  const parts: SlackMessage[] = [];
  for (let i = 0; i < message.blocks.length; i += maxBlocks) {
    const blocks = message.blocks.slice(i, i + maxBlocks);
    const text =
      i === 0 ? message.text : truncate(`${message.text} (continued)`, LIMITS.fallbackText);
    parts.push({ text, blocks });
  }
  return parts;
}

/**
 * Keep a message inside the block limit in place: when it has too many blocks, keep the first
 * `maxBlocks - 1` and end with a context block saying how many were left out.
 */
export function capBlocks(
  blocks: readonly Block[],
  maxBlocks: number = LIMITS.messageBlocks,
): Block[] {
  if (blocks.length <= maxBlocks) return [...blocks];
  const kept = blocks.slice(0, maxBlocks - 1);
  const omitted = blocks.length - kept.length;
  kept.push({ type: "context", elements: [{ type: "mrkdwn", text: moreLine(omitted) }] });
  return kept;
}

export interface LimitViolation {
  path: string;
  limit: string;
  actual: number;
  max: number;
}

/** Check a message against the limits above; an empty list means Slack should accept it. */
export function checkMessage(
  message: SlackMessage,
  maxBlocks: number = LIMITS.messageBlocks,
): LimitViolation[] {
  const out: LimitViolation[] = [];
  const check = (path: string, limit: string, actual: number, max: number) => {
    if (actual > max) out.push({ path, limit, actual, max });
  };
  check("text", "fallbackText", charLength(message.text), LIMITS.messageText);
  if (message.text.trim() === "") out.push({ path: "text", limit: "required", actual: 0, max: 0 });
  check("blocks", "messageBlocks", message.blocks.length, maxBlocks);
  message.blocks.forEach((block, i) => {
    const p = `blocks[${i}]`;
    if (block.block_id !== undefined)
      check(`${p}.block_id`, "blockId", block.block_id.length, LIMITS.blockId);
    switch (block.type) {
      case "header":
        check(`${p}.text`, "headerText", charLength(block.text.text), LIMITS.headerText);
        break;
      case "section":
        if (block.text)
          check(`${p}.text`, "sectionText", charLength(block.text.text), LIMITS.sectionText);
        if (block.fields) {
          check(`${p}.fields`, "sectionFields", block.fields.length, LIMITS.sectionFields);
          block.fields.forEach((f, j) => {
            check(`${p}.fields[${j}]`, "fieldText", charLength(f.text), LIMITS.fieldText);
          });
        }
        break;
      case "context":
        check(`${p}.elements`, "contextElements", block.elements.length, LIMITS.contextElements);
        block.elements.forEach((e, j) => {
          check(`${p}.elements[${j}]`, "contextText", charLength(e.text), LIMITS.contextText);
        });
        break;
      case "actions":
        check(`${p}.elements`, "actionsElements", block.elements.length, LIMITS.actionsElements);
        block.elements.forEach((b, j) => {
          check(
            `${p}.elements[${j}].text`,
            "buttonText",
            charLength(b.text.text),
            LIMITS.buttonText,
          );
          check(`${p}.elements[${j}].action_id`, "actionId", b.action_id.length, LIMITS.actionId);
          if (b.value !== undefined)
            check(`${p}.elements[${j}].value`, "buttonValue", b.value.length, LIMITS.buttonValue);
          if (b.confirm) {
            const c = `${p}.elements[${j}].confirm`;
            check(
              `${c}.title`,
              "confirmTitle",
              charLength(b.confirm.title.text),
              LIMITS.confirmTitle,
            );
            check(`${c}.text`, "confirmText", charLength(b.confirm.text.text), LIMITS.confirmText);
            check(
              `${c}.confirm`,
              "confirmButton",
              charLength(b.confirm.confirm.text),
              LIMITS.confirmButton,
            );
            check(
              `${c}.deny`,
              "confirmButton",
              charLength(b.confirm.deny.text),
              LIMITS.confirmButton,
            );
          }
        });
        break;
      case "divider":
        break;
    }
  });
  return out;
}
