import { STATUS_CODES } from "node:http";
import {
  type ChatPostMessageArguments,
  type ChatUpdateArguments,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  type WebClient,
} from "@slack/web-api";
import { request } from "undici";

/** The two calls every delivered alert makes: a post, and an edit when the alert changes. */
export interface ChatWrites {
  postMessage(args: ChatPostMessageArguments): Promise<{ ts?: string | undefined }>;
  update(args: ChatUpdateArguments): Promise<unknown>;
}

export interface ChatWritesOptions {
  token: string;
  /** The Web API's base (`…/api/`), Slack's by default. */
  slackApiUrl?: string | undefined;
  /** The whole call, answer read included, as the WebClient's `timeout`; 0: none. */
  timeoutMs: number;
}

const SLACK_API_URL = "https://slack.com/api/";

/**
 * chat.postMessage and chat.update straight on undici's `request`, without the WebClient: on the
 * pipeline bench (bench/scenarios/pipeline.ts) the SDK's per-call machinery (its queue, retry
 * wrapper, header redaction, form encoding of the blocks, logging hooks) cost about as much CPU
 * per post as the HTTP request itself, for two methods whose use here is fixed.
 *
 * The request is the one the WebClient sends, the same form once decoded: POST, the token in
 * `Authorization: Bearer`, an `application/x-www-form-urlencoded` body whose object arguments
 * (blocks, metadata) are JSON text. Slack documents a JSON body for write methods too
 * (docs.slack.dev/apis/web-api, "JSON-encoded bodies"), but every server that speaks to Slack's
 * own SDK parses the form, and encoding it costs next to nothing beside the request.
 *
 * Failures are thrown as the SDK's own error classes, decided as WebClient.apiCall decides them,
 * so errors.ts classifies a failed call the same whichever client made it (by `code`, Slack's
 * `error`, `retryAfter`, `statusCode`). The token is only ever in the request's headers: no
 * message or error built here names it, and nothing here logs.
 */
export function chatWrites(o: ChatWritesOptions): ChatWrites {
  const base = withSlash(o.slackApiUrl ?? SLACK_API_URL);
  const headers = {
    authorization: `Bearer ${o.token}`,
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  const call = async (method: string, args: object): Promise<Record<string, unknown>> => {
    const url = base + method;
    let status: number;
    let answer: Awaited<ReturnType<typeof request>>["headers"];
    let text: string;
    try {
      const res = await request(url, {
        method: "POST",
        headers,
        body: formOf(args),
        ...(o.timeoutMs > 0 ? { signal: AbortSignal.timeout(o.timeoutMs) } : {}),
      });
      status = res.statusCode;
      answer = res.headers;
      // Read whole, whatever the status: an unread body would hold the connection.
      text = await res.body.text();
    } catch (err) {
      // Refused, reset, timed out (before or after sending): the WebClient's request error.
      throw new WebAPIRequestError(err instanceof Error ? err : new Error(String(err)));
    }
    return resultOf(url, status, answer, text);
  };
  return {
    postMessage: (args) => call("chat.postMessage", args) as Promise<{ ts?: string }>,
    update: (args) => call("chat.update", args),
  };
}

/**
 * The WebClient's form (serializeBody in @slack/web-api 8): strings, numbers and booleans as
 * they are, anything else as JSON, undefined and null left out. URLSearchParams escapes a few
 * characters otherwise than the SDK's querystring; both decode to the same values.
 */
export function formOf(args: object): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    const t = typeof value;
    form.append(
      name,
      t === "string" || t === "number" || t === "boolean" ? String(value) : JSON.stringify(value),
    );
  }
  return form.toString();
}

type RawHeaders = Record<string, string | string[] | undefined>;

/** What WebClient.makeRequest and apiCall make of an answer (@slack/web-api 8, WebClient.js). */
function resultOf(
  url: string,
  status: number,
  raw: RawHeaders,
  text: string,
): Record<string, unknown> {
  if (status === 429) {
    // Slack's rate limit: Retry-After in whole seconds (docs.slack.dev/apis/web-api/rate-limits).
    // Without a usable one the WebClient throws a bare Error (errors.ts: ambiguous): the same
    // here, so delivery decides alike whichever client made the call.
    const seconds = Number.parseInt(header(raw, "retry-after") ?? "", 10);
    if (Number.isNaN(seconds)) throw new Error("Slack answered 429 without a usable Retry-After");
    throw new WebAPIRateLimitedError(seconds);
  }
  if (status >= 300 && status < 400) {
    // The WebClient's fetch runs with `redirect: "error"`: a redirect is a request error.
    throw new WebAPIRequestError(new TypeError(`fetch failed: redirect (${status}) from ${url}`));
  }
  // Slack's Web API answers 200 to every call it took, with `ok` telling how it went.
  if (status !== 200)
    throw new WebAPIHTTPError(status, STATUS_CODES[status] ?? "", flat(raw), text);
  const result = parsed(text);
  if (!result.ok) throw new WebAPIPlatformError(result as never);
  return result;
}

/**
 * As the WebClient reads an answer: text that is not JSON becomes `{ ok: false, error: text }`
 * (a platform error); JSON that is no object (null, a number, a string) makes the WebClient's
 * result building throw a TypeError, which delivery takes as ambiguous: the same error here.
 */
function parsed(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, error: text };
  }
  if (typeof v !== "object" || v === null)
    throw new TypeError("Slack's answer is JSON but not an object");
  return v as Record<string, unknown>;
}

function header(raw: RawHeaders, name: string): string | undefined {
  const v = raw[name];
  return Array.isArray(v) ? v[0] : v;
}

function flat(raw: RawHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

/** The same two calls through a WebClient (a client handed in by tests). */
export function webClientWrites(client: WebClient): ChatWrites {
  return {
    postMessage: (args) => client.chat.postMessage(args),
    update: (args) => client.chat.update(args),
  };
}
