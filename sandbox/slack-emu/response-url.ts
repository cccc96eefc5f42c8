import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { validateBlocks, withBlockIds } from "./blocks.ts";
import { readBody, sendJson } from "./http-util.ts";
import { applyEdit, storeMessage } from "./methods/chat.ts";
import { SlackApiError } from "./methods/common.ts";
import type { EmuStore, ResponseUrlState } from "./store.ts";
import type { ResponseUrlPost } from "./types.ts";

// response_url: "valid for up to 5 responses within 30 minutes" (docs.slack.dev/interactivity/
// handling-user-interaction). Posts are JSON: text, blocks, response_type (ephemeral by
// default, or in_channel), replace_original, delete_original, thread_ts.
// The error answers (404 expired_url / used_url, 400 invalid_blocks) are this emulator's
// choice: Slack documents the limits but not the exact error body.
export const RESPONSE_URL_VALIDITY_MS = 30 * 60 * 1000;
export const RESPONSE_URL_MAX_USES = 5;

export interface ResponseUrlDeps {
  store: EmuStore;
  nowMs: () => number;
  timeScale: number;
  origin: () => string;
}

export function issueResponseUrl(
  deps: ResponseUrlDeps,
  init: Omit<ResponseUrlState, "id" | "createdAtMs" | "uses">,
): string {
  const id = `${deps.store.seed.teamId}/${randomBytes(12).toString("hex")}`;
  deps.store.responseUrls.set(id, { ...init, id, createdAtMs: deps.nowMs(), uses: 0 });
  return `${deps.origin()}/_resp/${id}`;
}

function apply(
  deps: Pick<ResponseUrlDeps, "store">,
  s: Pick<ResponseUrlState, "channel" | "user" | "sourceTs">,
  body: Record<string, unknown>,
  via: "response_url" | "ack" = "response_url",
): string {
  const { store } = deps;
  const text = typeof body.text === "string" ? body.text : "";
  const blocks = withBlockIds(Array.isArray(body.blocks) ? (body.blocks as unknown[]) : undefined);
  if (blocks) {
    const errors = validateBlocks(blocks, "message");
    if (errors.length > 0) throw new SlackApiError("invalid_blocks", { messages: errors });
  }
  if (text.length > 40_000) throw new SlackApiError("msg_too_long");
  const threadTs = typeof body.thread_ts === "string" ? body.thread_ts : undefined;
  const source = s.sourceTs ? store.findMessage(s.channel, s.sourceTs) : undefined;
  const sourceEphemeral = s.sourceTs
    ? store.ephemerals.find((e) => e.message_ts === s.sourceTs && e.user === s.user && !e.deleted)
    : undefined;
  if (body.delete_original === true || body.delete_original === "true") {
    if (source) {
      source.deleted = true;
      store.emit({ type: "message_deleted", channel: s.channel, ts: source.ts });
    } else if (sourceEphemeral) sourceEphemeral.deleted = true;
    return "delete_original";
  }
  if (body.replace_original === true || body.replace_original === "true") {
    if (source) {
      applyEdit(store, source, { text, blocks });
      return "replace_original";
    }
    if (sourceEphemeral) sourceEphemeral.replaced = true;
  }
  if (body.response_type === "in_channel") {
    storeMessage(store, s.channel, { text, blocks }, { threadTs, via: "response_url" });
    return "in_channel";
  }
  const message = {
    message_ts: store.nextTs(),
    channel: s.channel,
    user: s.user,
    text,
    blocks,
    thread_ts: threadTs,
    via,
  };
  store.ephemerals.push(message);
  store.emit({ type: "ephemeral", channel: s.channel, message });
  return body.replace_original === true ? "replace_original" : "ephemeral";
}

export async function handleResponseUrl(
  deps: ResponseUrlDeps,
  id: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { store } = deps;
  const raw = await readBody(req);
  const record = (
    status: number,
    effect: string,
    body: Record<string, unknown>,
    error?: string,
  ) => {
    const post: ResponseUrlPost = {
      id,
      at: new Date(deps.nowMs()).toISOString(),
      status,
      body,
      effect,
      error,
    };
    store.responsePosts.push(post);
    store.emit({ type: "response_url", post });
  };
  let body: Record<string, unknown>;
  try {
    body = raw.trim() === "" ? {} : (JSON.parse(raw) as Record<string, unknown>);
  } catch {
    record(400, "rejected", { raw }, "invalid_json");
    return sendJson(res, 400, { ok: false, error: "invalid_json" });
  }
  const s = store.responseUrls.get(id);
  const reject = (status: number, error: string) => {
    record(status, "rejected", body, error);
    sendJson(res, status, { ok: false, error });
  };
  if (req.method !== "POST") return reject(405, "method_not_allowed");
  if (!s) return reject(404, "no_such_url");
  if (deps.nowMs() - s.createdAtMs > RESPONSE_URL_VALIDITY_MS / deps.timeScale) {
    return reject(404, "expired_url");
  }
  if (s.uses >= RESPONSE_URL_MAX_USES) return reject(404, "used_url");
  try {
    const effect = apply(deps, s, body);
    s.uses += 1;
    record(200, effect, body);
    sendJson(res, 200, { ok: true });
  } catch (err) {
    if (!(err instanceof SlackApiError)) throw err;
    reject(400, err.code);
  }
}

/**
 * A slash command's immediate answer (the HTTP 200 body). Slack shows a message payload (JSON
 * with text or blocks) like a response_url post, ephemeral unless `response_type: in_channel`,
 * and a plain-text body as ephemeral text (docs.slack.dev/interactivity/implementing-slash-commands,
 * "Sending an immediate response"); an empty body shows nothing. Returns the effect, or
 * undefined when nothing is shown.
 */
export function applyCommandAck(
  store: EmuStore,
  at: { channel: string; user: string },
  r: { status: number; body: string; json?: unknown },
): string | undefined {
  if (r.status !== 200 || r.body.trim() === "") return undefined;
  const json = r.json;
  const body: Record<string, unknown> =
    json !== null && typeof json === "object" && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : { text: r.body };
  if (typeof body.text !== "string" && !Array.isArray(body.blocks)) return undefined;
  try {
    return apply({ store }, at, body, "ack");
  } catch (err) {
    // Slack shows nothing for an answer it cannot render; the platform log carries why.
    if (err instanceof SlackApiError) return `rejected: ${err.code}`;
    throw err;
  }
}
