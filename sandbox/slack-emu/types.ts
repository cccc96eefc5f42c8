// Shapes the emulator stores and serves. Field names follow Slack's Web API objects
// (docs.slack.dev/reference/objects) so the inspection API and the Web API answer alike.

export interface EmuChannel {
  id: string;
  name: string;
  is_channel: boolean;
  /** a direct message between the bot and `user` (created when the bot posts to a user id) */
  is_im?: boolean;
  user?: string;
  is_private: boolean;
  is_archived: boolean;
  created: number;
  /** user ids of members; the bot is a member when its user id is in the list */
  members: string[];
  topic: string;
  purpose: string;
}

export interface EmuUser {
  id: string;
  name: string;
  real_name: string;
  is_admin: boolean;
  is_owner: boolean;
  is_bot: boolean;
  deleted: boolean;
  tz: string;
  email: string;
}

export interface EmuUserGroup {
  id: string;
  handle: string;
  name: string;
  users: string[];
}

export interface WorkspaceSeed {
  teamId: string;
  teamName: string;
  teamDomain: string;
  enterpriseId?: string;
  enterpriseName?: string;
  appId: string;
  botId: string;
  botUserId: string;
  channels: EmuChannel[];
  users: EmuUser[];
  usergroups: EmuUserGroup[];
}

export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/** One earlier version of a message, kept when chat.update or replace_original changes it. */
export interface MessageEdit {
  /** when the edit happened (Slack ts format) */
  at: string;
  by: string;
  previous: {
    text: string;
    blocks?: unknown[] | undefined;
    metadata?: MessageMetadata | undefined;
  };
}

export interface StoredMessage {
  type: "message";
  subtype?: string | undefined;
  ts: string;
  channel: string;
  user: string;
  bot_id?: string | undefined;
  app_id?: string | undefined;
  team: string;
  text: string;
  blocks?: unknown[] | undefined;
  thread_ts?: string | undefined;
  reply_count?: number | undefined;
  reply_users?: string[] | undefined;
  latest_reply?: string | undefined;
  metadata?: MessageMetadata | undefined;
  edited?: { user: string; ts: string } | undefined;
  /** emulator-only: every previous version, oldest first */
  edits: MessageEdit[];
  /** emulator-only: set by delete_original; Slack stops returning it */
  deleted?: boolean | undefined;
  /** emulator-only: how it was posted */
  via: "web_api" | "response_url" | "user";
}

export interface EphemeralMessage {
  /** Slack returns a message_ts for ephemerals too; it is not stored in the channel */
  message_ts: string;
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[] | undefined;
  thread_ts?: string | undefined;
  /** "ack": a slash command's immediate answer (the HTTP 200 body) */
  via: "web_api" | "response_url" | "ack";
  /** set when a later response_url post replaced or deleted it */
  replaced?: boolean | undefined;
  deleted?: boolean | undefined;
}

export interface StoredView {
  id: string;
  team_id: string;
  type: "modal" | "home";
  user_id: string;
  title?: unknown;
  submit?: unknown;
  close?: unknown;
  blocks: unknown[];
  callback_id: string;
  private_metadata: string;
  external_id: string;
  hash: string;
  root_view_id: string;
  previous_view_id: string | null;
  app_id: string;
  bot_id: string;
  state: { values: Record<string, Record<string, unknown>> };
  /** emulator-only: every earlier version */
  history: unknown[];
  opened_at: string;
  closed?: boolean | undefined;
}

export interface ResponseUrlPost {
  id: string;
  at: string;
  status: number;
  body: Record<string, unknown>;
  /** what the post did: ephemeral, in_channel, replace_original, delete_original, or rejected */
  effect: string;
  error?: string | undefined;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  status: number;
  ok: boolean;
  error?: string | undefined;
  channel?: string | undefined;
  fault?: string | undefined;
  retryAfterMs?: number | undefined;
}

/** One signed request the platform actor sent to the app, and what came back. */
export interface PlatformLogEntry {
  at: string;
  kind: string;
  status: number;
  timedOut: boolean;
  error?: string | undefined;
  retryNum?: string | undefined;
}

export type EmuEvent =
  | { type: "message"; channel: string; message: StoredMessage }
  | { type: "message_changed"; channel: string; message: StoredMessage }
  | { type: "message_deleted"; channel: string; ts: string }
  | { type: "ephemeral"; channel: string; message: EphemeralMessage }
  | { type: "view"; action: "opened" | "updated" | "published" | "closed"; view: StoredView }
  | { type: "response_url"; post: ResponseUrlPost }
  | { type: "ratelimited"; method: string; channel?: string | undefined; retryAfterMs: number }
  | { type: "platform"; entry: PlatformLogEntry }
  | { type: "reset" };
