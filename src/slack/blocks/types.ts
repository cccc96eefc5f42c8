/**
 * The Block Kit shapes our builders produce: a deliberately small subset of Slack's layout blocks
 * (docs.slack.dev/reference/block-kit/blocks), typed here so the builders stay dependency-free.
 */
export interface PlainText {
  type: "plain_text";
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: "mrkdwn";
  text: string;
}

export type TextObject = PlainText | Mrkdwn;

/** Block Kit confirmation dialog (docs.slack.dev/reference/block-kit/composition-objects). */
export interface ConfirmDialog {
  title: PlainText;
  text: PlainText;
  confirm: PlainText;
  deny: PlainText;
  style?: "primary" | "danger";
}

export interface ButtonElement {
  type: "button";
  text: PlainText;
  action_id: string;
  value?: string;
  url?: string;
  style?: "primary" | "danger";
  confirm?: ConfirmDialog;
}

export interface HeaderBlock {
  type: "header";
  block_id?: string;
  text: PlainText;
}

export interface SectionBlock {
  type: "section";
  block_id?: string;
  text?: Mrkdwn;
  fields?: Mrkdwn[];
  accessory?: ButtonElement;
}

export interface ContextBlock {
  type: "context";
  block_id?: string;
  elements: TextObject[];
}

export interface DividerBlock {
  type: "divider";
  block_id?: string;
}

export interface ActionsBlock {
  type: "actions";
  block_id?: string;
  elements: ButtonElement[];
}

export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock | ActionsBlock;

/** A message ready for chat.postMessage / chat.update: `text` is the notification fallback. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}
