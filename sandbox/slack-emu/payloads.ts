import { publicMessage } from "./methods/common.ts";
import { publicView } from "./methods/views.ts";
import type { EmuStore } from "./store.ts";
import type { StoredMessage, StoredView } from "./types.ts";

// Payload shapes as Slack sends them: slash commands (docs.slack.dev/interactivity/
// implementing-slash-commands), block_actions and view_submission (docs.slack.dev/reference/
// interaction-payloads), event_callback (docs.slack.dev/apis/events-api). `token` is the
// deprecated verification token, still sent by Slack; ours is a fixed fake.

export const VERIFICATION_TOKEN = "emu-verification-token";

type Obj = Record<string, unknown>;

function userRef(store: EmuStore, userId: string): Obj {
  const u = store.seed.users.find((x) => x.id === userId);
  return {
    id: userId,
    username: u?.name ?? userId,
    name: u?.name ?? userId,
    team_id: store.seed.teamId,
  };
}

function teamRef(store: EmuStore): Obj {
  return { id: store.seed.teamId, domain: store.seed.teamDomain };
}

function enterpriseRef(store: EmuStore): Obj | null {
  const s = store.seed;
  return s.enterpriseId ? { id: s.enterpriseId, name: s.enterpriseName ?? "" } : null;
}

export function slashCommandForm(
  store: EmuStore,
  i: {
    command: string;
    text: string;
    userId: string;
    channelId: string;
    responseUrl: string;
    triggerId: string;
  },
): Record<string, string> {
  const s = store.seed;
  const u = store.seed.users.find((x) => x.id === i.userId);
  const c = store.channels.get(i.channelId);
  const form: Record<string, string> = {
    token: VERIFICATION_TOKEN,
    team_id: s.teamId,
    team_domain: s.teamDomain,
    channel_id: i.channelId,
    channel_name: c?.name ?? "directmessage",
    user_id: i.userId,
    user_name: u?.name ?? i.userId,
    command: i.command,
    text: i.text,
    api_app_id: s.appId,
    is_enterprise_install: "false",
    response_url: i.responseUrl,
    trigger_id: i.triggerId,
  };
  if (s.enterpriseId) {
    form.enterprise_id = s.enterpriseId;
    form.enterprise_name = s.enterpriseName ?? "";
  }
  return form;
}

export interface ActionInput {
  action_id: string;
  block_id?: string;
  value?: string;
  type?: string;
  text?: unknown;
  style?: string;
  selected_option?: unknown;
}

/**
 * Finds the interactive element with `action_id` in a message's or view's blocks; with
 * `blockId`, the one in that block (one message may carry several buttons with one action id,
 * e.g. each line's Approve; Slack sends the clicked element's own block_id and value).
 */
export function findElement(
  blocks: unknown[] | undefined,
  actionId: string,
  blockId?: string,
): { block_id: string; el: Obj } | undefined {
  for (const b of blocks ?? []) {
    const block = b as Obj;
    if (blockId && block.block_id !== blockId) continue;
    const candidates = [
      ...(Array.isArray(block.elements) ? (block.elements as Obj[]) : []),
      ...(block.accessory ? [block.accessory as Obj] : []),
      ...(block.element ? [block.element as Obj] : []),
    ];
    const el = candidates.find((e) => e && e.action_id === actionId);
    if (el) return { block_id: typeof block.block_id === "string" ? block.block_id : "", el };
  }
  return undefined;
}

export function actionEntry(
  input: ActionInput,
  found: { block_id: string; el: Obj } | undefined,
  actionTs: string,
): Obj {
  const el = found?.el ?? {};
  const out: Obj = {
    action_id: input.action_id,
    block_id: input.block_id ?? found?.block_id ?? "",
    type: input.type ?? el.type ?? "button",
    action_ts: actionTs,
  };
  const text = input.text ?? el.text;
  if (text !== undefined) out.text = text;
  const value = input.value ?? el.value;
  if (value !== undefined) out.value = value;
  const style = input.style ?? el.style;
  if (style !== undefined) out.style = style;
  if (input.selected_option !== undefined) out.selected_option = input.selected_option;
  return out;
}

export function blockActionsPayload(
  store: EmuStore,
  i: {
    userId: string;
    triggerId: string;
    action: Obj;
    message?: StoredMessage | undefined;
    channelId?: string | undefined;
    view?: StoredView | undefined;
    responseUrl?: string | undefined;
    isEphemeral?: boolean | undefined;
    messageTs?: string | undefined;
    /** What the user set in the view's input elements (Slack sends it as view.state.values). */
    viewValues?: Obj | undefined;
  },
): Obj {
  const s = store.seed;
  const base: Obj = {
    type: "block_actions",
    user: userRef(store, i.userId),
    api_app_id: s.appId,
    token: VERIFICATION_TOKEN,
    trigger_id: i.triggerId,
    team: teamRef(store),
    enterprise: enterpriseRef(store),
    is_enterprise_install: false,
    actions: [i.action],
  };
  if (i.view) {
    base.container = { type: "view", view_id: i.view.id };
    base.view = { ...publicView(i.view), state: { values: i.viewValues ?? {} } };
    return base;
  }
  const channel = i.channelId ? store.channels.get(i.channelId) : undefined;
  base.container = {
    type: "message",
    message_ts: i.messageTs,
    channel_id: i.channelId,
    is_ephemeral: Boolean(i.isEphemeral),
  };
  base.channel = { id: i.channelId, name: channel?.name ?? "" };
  if (i.message) base.message = publicMessage(i.message, true);
  base.state = { values: {} };
  base.response_url = i.responseUrl;
  return base;
}

export function viewSubmissionPayload(
  store: EmuStore,
  i: { userId: string; triggerId: string; view: StoredView; values: Obj },
): Obj {
  const s = store.seed;
  return {
    type: "view_submission",
    team: teamRef(store),
    user: userRef(store, i.userId),
    api_app_id: s.appId,
    token: VERIFICATION_TOKEN,
    trigger_id: i.triggerId,
    view: { ...publicView(i.view), state: { values: i.values } },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: enterpriseRef(store),
  };
}

export function eventCallback(
  store: EmuStore,
  event: Obj,
  eventId: string,
  eventTime: number,
): Obj {
  const s = store.seed;
  return {
    token: VERIFICATION_TOKEN,
    team_id: s.teamId,
    ...(s.enterpriseId ? { enterprise_id: s.enterpriseId } : {}),
    api_app_id: s.appId,
    event,
    type: "event_callback",
    event_id: eventId,
    event_time: eventTime,
    authorizations: [
      {
        enterprise_id: s.enterpriseId ?? null,
        team_id: s.teamId,
        user_id: s.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
}
