/** A Block Kit block as a plain object (structurally what `chat.postMessage` accepts). */
export interface SlackBlock {
  type: string;
  block_id?: string;
  [key: string]: unknown;
}

/** A message body: blocks plus the text fallback Slack shows in notifications and to screen readers. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}
