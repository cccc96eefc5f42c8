import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { delay } from "./http-util.ts";
import {
  type ActionInput,
  actionEntry,
  blockActionsPayload,
  eventCallback,
  findElement,
  slashCommandForm,
  viewSubmissionPayload,
} from "./payloads.ts";
import { applyCommandAck, issueResponseUrl } from "./response-url.ts";
import { signedHeaders } from "./sign.ts";
import type { EmuStore } from "./store.ts";
import { applySubmissionAck } from "./view-ack.ts";

// The platform actor: sends what Slack sends to an app's request URL, signed, and returns the
// app's answer. Slack waits 3 seconds for an acknowledgement; events that are not
// acknowledged with a 2xx are retried up to 3 times ("nearly immediately, then after 1
// minute, then after 5 minutes", docs.slack.dev/apis/events-api) with X-Slack-Retry-Num and
// X-Slack-Retry-Reason (http_timeout / http_error).

export class PlatformError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface SendOptions {
  /** sign with a wrong secret */
  forgeSignature?: boolean;
  /** shift X-Slack-Request-Timestamp by this many seconds (e.g. -600 = 10 minutes old) */
  timestampSkewSeconds?: number;
  /** real ms to wait for the app; default 3000 (Slack's ack window) */
  timeoutMs?: number;
  /** extra headers (e.g. X-Slack-Retry-Num) */
  headers?: Record<string, string>;
}

export interface PlatformResult {
  /** 0 when the app did not answer in time or the connection failed */
  status: number;
  body: string;
  json?: unknown;
  timedOut: boolean;
  error?: string;
  request: SignedRequest;
  responseUrl?: string;
  triggerId?: string;
  /** slash commands: how the ack body was shown ("ephemeral", "in_channel"), if at all */
  shown?: string;
}

export interface EventResult extends PlatformResult {
  eventId: string;
  attempts: PlatformResult[];
}

export interface EmuPlatform {
  readonly requestUrl: string | undefined;
  setRequestUrl(url: string): void;
  slashCommand(
    i: { command: string; text?: string; userId: string; channelId: string },
    o?: SendOptions,
  ): Promise<PlatformResult>;
  /** a click on an element in a channel message (by ts), an ephemeral message, or an open view */
  blockAction(
    i: {
      userId: string;
      action: ActionInput;
      channelId?: string;
      messageTs?: string;
      ephemeral?: boolean;
      viewId?: string;
      /** view.state.values of the view clicked in (checkboxes ticked, inputs filled) */
      values?: Record<string, Record<string, unknown>>;
    },
    o?: SendOptions,
  ): Promise<PlatformResult>;
  viewSubmission(
    i: { userId: string; viewId: string; values: Record<string, Record<string, unknown>> },
    o?: SendOptions,
  ): Promise<PlatformResult>;
  /** event_callback; `retries: true` retries a failed delivery as Slack does */
  event(
    event: Record<string, unknown>,
    o?: SendOptions & { eventId?: string; retries?: boolean; retryDelaysMs?: number[] },
  ): Promise<EventResult>;
  appHomeOpened(userId: string, o?: SendOptions): Promise<EventResult>;
  urlVerification(challenge?: string, o?: SendOptions): Promise<PlatformResult>;
  /** send a captured request again, byte for byte (a replay attack) */
  replay(request: SignedRequest, o?: { timeoutMs?: number }): Promise<PlatformResult>;
  issueTriggerId(userId: string): string;
  close(): Promise<void>;
}

export interface PlatformDeps {
  store: EmuStore;
  nowMs: () => number;
  timeScale: number;
  signingSecret: string;
  origin: () => string;
  requestUrl: string | undefined;
  logger: Logger;
}

const ACK_TIMEOUT_MS = 3000;
const EVENT_RETRY_DELAYS_MS = [0, 60_000, 300_000];

/** "slash_command /infor", "block_actions", "view_submission", "event app_home_opened", … */
export function describeRequest(request: SignedRequest): string {
  try {
    if (request.headers["content-type"] === "application/json") {
      const b = JSON.parse(request.body) as { type?: string; event?: { type?: string } };
      return b.type === "event_callback" ? `event ${b.event?.type ?? "?"}` : String(b.type);
    }
    const form = new URLSearchParams(request.body);
    const command = form.get("command");
    if (command) return `slash_command ${command}`;
    return String((JSON.parse(form.get("payload") ?? "{}") as { type?: string }).type);
  } catch {
    return "unknown";
  }
}

export function createPlatform(deps: PlatformDeps): EmuPlatform {
  const { store } = deps;
  let requestUrl = deps.requestUrl;
  const controllers = new Set<AbortController>();
  /** Aborted by close(): in-flight requests stop, and so do event retries still waiting. */
  const closing = new AbortController();

  const sign = (body: string, contentType: string, o: SendOptions): SignedRequest => {
    if (!requestUrl) throw new PlatformError("no_request_url", "app request URL is not set");
    const ts = Math.floor(deps.nowMs() / 1000) + (o.timestampSkewSeconds ?? 0);
    const secret = o.forgeSignature ? `${deps.signingSecret}-forged` : deps.signingSecret;
    return {
      url: requestUrl,
      headers: { ...signedHeaders(secret, ts, body, contentType), ...o.headers },
      body,
    };
  };

  const deliver = async (request: SignedRequest, timeoutMs?: number): Promise<PlatformResult> => {
    const r = await post(request, timeoutMs);
    store.logPlatform({
      at: new Date(deps.nowMs()).toISOString(),
      kind: describeRequest(request),
      status: r.status,
      timedOut: r.timedOut,
      error: r.error,
      retryNum: request.headers["x-slack-retry-num"],
    });
    return r;
  };

  const post = async (
    request: SignedRequest,
    timeoutMs = ACK_TIMEOUT_MS,
  ): Promise<PlatformResult> => {
    const ac = new AbortController();
    controllers.add(ac);
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    try {
      const res = await fetch(request.url, {
        method: "POST",
        headers: request.headers,
        body: request.body,
        signal: ac.signal,
      });
      const body = await res.text();
      let json: unknown;
      try {
        json = body === "" ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      return { status: res.status, body, json, timedOut: false, request };
    } catch (err) {
      const timedOut = ac.signal.aborted;
      deps.logger.debug({ err, url: request.url }, "platform request failed");
      return {
        status: 0,
        body: "",
        timedOut,
        error: timedOut ? "http_timeout" : "connection_failed",
        request,
      };
    } finally {
      clearTimeout(timer);
      controllers.delete(ac);
    }
  };

  const sendForm = (form: Record<string, string>, o: SendOptions) =>
    deliver(
      sign(new URLSearchParams(form).toString(), "application/x-www-form-urlencoded", o),
      o.timeoutMs,
    );

  const issueTriggerId = (userId: string): string => {
    const id = `${Date.now()}.${randomBytes(6).toString("hex")}`;
    store.triggers.set(id, { issuedAtMs: deps.nowMs(), user: userId, used: false });
    return id;
  };
  const rdeps = { store, nowMs: deps.nowMs, timeScale: deps.timeScale, origin: deps.origin };

  const sendEvent = async (
    event: Record<string, unknown>,
    o: SendOptions & { eventId?: string; retries?: boolean; retryDelaysMs?: number[] } = {},
  ): Promise<EventResult> => {
    const eventId = o.eventId ?? `Ev${randomBytes(5).toString("hex").toUpperCase()}`;
    const body = JSON.stringify(
      eventCallback(store, event, eventId, Math.floor(deps.nowMs() / 1000)),
    );
    const delays = o.retryDelaysMs ?? EVENT_RETRY_DELAYS_MS.map((d) => d / deps.timeScale);
    const attempts: PlatformResult[] = [];
    let reason = "";
    for (let n = 0; n <= (o.retries ? delays.length : 0); n += 1) {
      if (n > 0) await delay(delays[n - 1] ?? 0, closing.signal);
      if (closing.signal.aborted) break;
      const headers =
        n > 0 ? { "x-slack-retry-num": String(n), "x-slack-retry-reason": reason } : {};
      const r = await deliver(
        sign(body, "application/json", { ...o, headers: { ...o.headers, ...headers } }),
        o.timeoutMs,
      );
      attempts.push(r);
      if (r.status >= 200 && r.status < 300) break;
      reason = r.timedOut ? "http_timeout" : "http_error";
    }
    const last = attempts[attempts.length - 1] as PlatformResult;
    return { ...last, eventId, attempts };
  };

  return {
    get requestUrl() {
      return requestUrl;
    },
    setRequestUrl: (url) => {
      requestUrl = url;
    },
    issueTriggerId,
    slashCommand: async (i, o = {}) => {
      const triggerId = issueTriggerId(i.userId);
      const responseUrl = issueResponseUrl(rdeps, { channel: i.channelId, user: i.userId });
      const form = slashCommandForm(store, { ...i, text: i.text ?? "", responseUrl, triggerId });
      const r = await sendForm(form, o);
      const shown = applyCommandAck(store, { channel: i.channelId, user: i.userId }, r);
      return { ...r, responseUrl, triggerId, ...(shown ? { shown } : {}) };
    },
    blockAction: async (i, o = {}) => {
      const triggerId = issueTriggerId(i.userId);
      const actionTs = store.nextTs();
      if (i.viewId) {
        const view = store.views.get(i.viewId);
        if (!view) throw new PlatformError("view_not_found", `no view ${i.viewId}`);
        const action = actionEntry(
          i.action,
          findElement(view.blocks, i.action.action_id, i.action.block_id),
          actionTs,
        );
        const payload = blockActionsPayload(store, {
          userId: i.userId,
          triggerId,
          action,
          view,
          viewValues: i.values,
        });
        return { ...(await sendForm({ payload: JSON.stringify(payload) }, o)), triggerId };
      }
      if (!i.channelId || !i.messageTs) {
        throw new PlatformError(
          "bad_action",
          "blockAction needs channelId and messageTs, or viewId",
        );
      }
      const message = i.ephemeral ? undefined : store.findMessage(i.channelId, i.messageTs);
      const eph = i.ephemeral
        ? store.ephemerals.find((e) => e.message_ts === i.messageTs && e.user === i.userId)
        : undefined;
      if (!message && !eph)
        throw new PlatformError("message_not_found", `no message ${i.messageTs}`);
      const found = findElement(
        message?.blocks ?? eph?.blocks,
        i.action.action_id,
        i.action.block_id,
      );
      if (!found) throw new PlatformError("action_not_found", `no element ${i.action.action_id}`);
      const responseUrl = issueResponseUrl(rdeps, {
        channel: i.channelId,
        user: i.userId,
        sourceTs: i.messageTs,
        sourceEphemeral: Boolean(i.ephemeral),
      });
      const payload = blockActionsPayload(store, {
        userId: i.userId,
        triggerId,
        action: actionEntry(i.action, found, actionTs),
        message,
        channelId: i.channelId,
        messageTs: i.messageTs,
        isEphemeral: Boolean(i.ephemeral),
        responseUrl,
      });
      return {
        ...(await sendForm({ payload: JSON.stringify(payload) }, o)),
        responseUrl,
        triggerId,
      };
    },
    viewSubmission: async (i, o = {}) => {
      const view = store.views.get(i.viewId);
      if (!view || view.closed)
        throw new PlatformError("view_not_found", `no open view ${i.viewId}`);
      const triggerId = issueTriggerId(i.userId);
      const payload = viewSubmissionPayload(store, {
        userId: i.userId,
        triggerId,
        view,
        values: i.values,
      });
      const r = await sendForm({ payload: JSON.stringify(payload) }, o);
      applySubmissionAck(store, view.id, r);
      return { ...r, triggerId };
    },
    event: sendEvent,
    appHomeOpened: (userId, o = {}) => {
      const homeId = store.homes.get(userId);
      const home = homeId ? store.views.get(homeId) : undefined;
      return sendEvent(
        {
          type: "app_home_opened",
          user: userId,
          channel: `D${userId.slice(1)}`,
          tab: "home",
          event_ts: store.nextTs(),
          ...(home ? { view: { id: home.id, type: "home", hash: home.hash } } : {}),
        },
        o,
      );
    },
    urlVerification: (challenge = randomBytes(16).toString("hex"), o = {}) =>
      deliver(
        sign(
          JSON.stringify({ token: "emu-verification-token", challenge, type: "url_verification" }),
          "application/json",
          o,
        ),
        o.timeoutMs,
      ),
    replay: (request, o = {}) => deliver(request, o.timeoutMs),
    close: async () => {
      closing.abort();
      for (const c of controllers) c.abort();
    },
  };
}
