import { parse as parseQuery } from "node:querystring";

/**
 * Shape check of a verified body, per payload type, before any Bolt handler runs. It parses the
 * body exactly as Bolt's HTTPReceiver does (form with a `payload` JSON field, plain form fields for
 * slash commands, otherwise JSON) so both see the same object, and it checks the fields our
 * handlers and Bolt's routing read (docs.slack.dev/interactivity/implementing-slash-commands,
 * docs.slack.dev/reference/interaction-payloads, docs.slack.dev/apis/events-api). A body that
 * fails answers 400 with the reason; before this, null `actions`, `view` or `event` reached Bolt
 * and answered 500 or ended the process.
 */
export type PayloadKind =
  | "ssl_check"
  | "slash_command"
  | "block_actions"
  | "view_submission"
  | "view_closed"
  | "block_suggestion"
  | "shortcut"
  | "url_verification"
  | "event_callback"
  | "app_rate_limited";

export type ShapeResult = { ok: true; kind: PayloadKind } | { ok: false; reason: string };

type Obj = Record<string, unknown>;

const FORM = "application/x-www-form-urlencoded";

export function checkPayloadShape(raw: Buffer, contentType: string | undefined): ShapeResult {
  const text = raw.toString("utf8");
  if (contentType === FORM) {
    const form = parseQuery(text);
    if (form.ssl_check === "1") return { ok: true, kind: "ssl_check" };
    if (form.payload === undefined) return slashCommand(form);
    if (typeof form.payload !== "string") return bad("payload: given more than once");
    const payload = parseJson(form.payload);
    return isObj(payload) ? interaction(payload) : bad("payload: not a JSON object");
  }
  const body = parseJson(text);
  return isObj(body) ? eventsApi(body) : bad("body: not a JSON object");
}

function slashCommand(form: ReturnType<typeof parseQuery>): ShapeResult {
  for (const [k, v] of Object.entries(form)) {
    if (typeof v !== "string") return bad(`${k}: given more than once`);
  }
  if (!/^\/\S+$/.test(String(form.command ?? ""))) return bad("command: missing or not /name");
  for (const k of ["user_id", "channel_id"] as const) {
    if (!nonEmpty(form[k])) return bad(`${k}: missing`);
  }
  return { ok: true, kind: "slash_command" };
}

function interaction(p: Obj): ShapeResult {
  if (!nonEmpty(p.type)) return bad("type: missing");
  if (!isObj(p.user) || !nonEmpty(p.user.id)) return bad("user.id: missing");
  switch (p.type) {
    case "block_actions": {
      if (!Array.isArray(p.actions) || p.actions.length === 0) return bad("actions: not a list");
      for (const [i, a] of p.actions.entries()) {
        if (!isObj(a) || !nonEmpty(a.action_id) || !nonEmpty(a.type)) {
          return bad(`actions[${i}]: needs action_id and type`);
        }
        if (a.value !== undefined && typeof a.value !== "string") {
          return bad(`actions[${i}].value: not a string`);
        }
      }
      if (p.channel !== undefined && p.channel !== null) {
        if (!isObj(p.channel) || !nonEmpty(p.channel.id)) return bad("channel.id: missing");
      }
      if (p.message !== undefined && p.message !== null) {
        if (!isObj(p.message) || !nonEmpty(p.message.ts)) return bad("message.ts: missing");
      }
      for (const k of ["container", "view", "state"] as const) {
        if (p[k] !== undefined && p[k] !== null && !isObj(p[k])) return bad(`${k}: not an object`);
      }
      for (const k of ["trigger_id", "response_url"] as const) {
        if (p[k] !== undefined && typeof p[k] !== "string") return bad(`${k}: not a string`);
      }
      return { ok: true, kind: "block_actions" };
    }
    case "view_submission":
    case "view_closed": {
      const v = p.view;
      if (!isObj(v) || !nonEmpty(v.id) || typeof v.callback_id !== "string") {
        return bad("view: needs id and callback_id");
      }
      if (v.private_metadata !== undefined && typeof v.private_metadata !== "string") {
        return bad("view.private_metadata: not a string");
      }
      if (p.type === "view_submission" && (!isObj(v.state) || !isObj(v.state.values))) {
        return bad("view.state.values: not an object");
      }
      return { ok: true, kind: p.type };
    }
    case "block_suggestion":
      return nonEmpty(p.action_id) ? { ok: true, kind: p.type } : bad("action_id: missing");
    case "shortcut":
    case "message_action":
      return nonEmpty(p.callback_id) ? { ok: true, kind: "shortcut" } : bad("callback_id: missing");
    default:
      return bad(`type: ${JSON.stringify(String(p.type).slice(0, 40))} is not handled here`);
  }
}

function eventsApi(b: Obj): ShapeResult {
  switch (b.type) {
    case "url_verification":
      return typeof b.challenge === "string"
        ? { ok: true, kind: b.type }
        : bad("challenge: missing");
    case "event_callback":
      if (!nonEmpty(b.event_id)) return bad("event_id: missing");
      if (!isObj(b.event) || !nonEmpty(b.event.type)) return bad("event.type: missing");
      return { ok: true, kind: b.type };
    case "app_rate_limited":
      return { ok: true, kind: b.type };
    default:
      return bad("type: not an Events API envelope");
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): v is string {
  return typeof v === "string" && v.length > 0;
}

function bad(reason: string): ShapeResult {
  return { ok: false, reason };
}
