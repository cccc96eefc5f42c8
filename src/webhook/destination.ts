import type { Alert } from "../alerts/alert.ts";
import type { Destination, DestinationLimits } from "../delivery/destination.ts";
import { isLoopbackHost } from "../shared/urls.ts";
import { type WebhookBody, webhookBody } from "./body.ts";
import { classify, retryAfterMs, WebhookHttpError } from "./errors.ts";
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from "./sign.ts";

export const WEBHOOK_TARGET_PREFIX = "webhook:";

/** The delivery target (alert.channel) of a named webhook. */
export function webhookTarget(name: string): string {
  return `${WEBHOOK_TARGET_PREFIX}${name}`;
}

export interface WebhookOptions {
  /** routing.yml name; the target is `webhook:<name>`. */
  name: string;
  /** https, or http on a loopback address only (the sandbox). */
  url: string;
  /** HMAC key of the signature. Never logged, never in an error. */
  secret: string;
  /**
   * Optional look-up hook: `GET <lookupUrl>/<alert id>` answering 200 when the receiver has the
   * delivery, 404 when not. With it an ambiguous send is resolved before sending again; without
   * it the alert is sent again with the same Idempotency-Key (docs/webhooks.md).
   */
  lookupUrl?: string | undefined;
  timeoutMs?: number;
  /** Sends per second to this receiver (default 10) and back to back (default 1: none). */
  perSecond?: number;
  burst?: number;
  fetch?: typeof fetch;
  clock?: () => number;
}

/** The URL rule every outgoing address follows: https, plain http only to this machine. */
export function checkWebhookUrl(text: string): URL {
  const url = new URL(text);
  if (url.username || url.password) throw new Error("a webhook URL must not embed credentials");
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  throw new Error("a webhook URL must be https (plain http only for loopback addresses)");
}

/**
 * A signed outgoing webhook as a delivery destination: one POST of JSON per alert, signed
 * (sign.ts), with the alert id as Idempotency-Key. Every alert is its own delivery: no edits,
 * no threads, no digests, no buttons. Retries, backoff, pacing, delivered markers and dead
 * letters are the delivery engine's, as for Slack.
 */
export function webhookDestination(o: WebhookOptions): Destination<WebhookBody> {
  const url = checkWebhookUrl(o.url).toString();
  const lookup = o.lookupUrl ? checkWebhookUrl(o.lookupUrl).toString().replace(/\/+$/, "") : "";
  const secret = o.secret;
  const doFetch = o.fetch ?? fetch;
  const clock = o.clock ?? Date.now;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const target = webhookTarget(o.name);
  // The delivery config's timeScale (a sandbox run) applies on top, as for Slack's rates.
  const perSecond = o.perSecond ?? 10;
  const limits: DestinationLimits = {
    scope: `wh:${o.name}`,
    perTargetPerSecond: perSecond,
    perTargetBurst: o.burst ?? 1,
    perSecond,
  };

  const signed = (payload: string): Record<string, string> => {
    const ts = Math.floor(clock() / 1000);
    return { [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: sign(secret, ts, payload) };
  };

  async function call(input: string, init: RequestInit): Promise<Response> {
    const res = await doFetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return res;
  }

  const destination: Destination<WebhookBody> = {
    name: "webhook",
    owns: (t) => t === target,
    edits: false,
    decisions: false,
    digests: false,
    limits,
    methods: { update: "webhook.update", lookup: () => "webhook.lookup" },
    render: (alert) => webhookBody(alert),
    async post({ alert, message }) {
      const payload = JSON.stringify(message);
      const res = await call(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [IDEMPOTENCY_HEADER]: alert.id,
          ...signed(payload),
        },
        body: payload,
      });
      // Drain the body so the connection is reused; its content is not ours to keep.
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok)
        throw new WebhookHttpError(
          res.status,
          retryAfterMs(res.headers.get("retry-after"), clock()),
        );
      return alert.id;
    },
    update() {
      // edits: false: the engine never asks; a later version is a delivery of its own.
      return Promise.reject(new WebhookHttpError(405));
    },
    classify,
    editGone: () => false,
    digestItem: (alert: Alert) => ({
      alertId: alert.id,
      recordKey: alert.recordKey,
      title: alert.recordKey,
    }),
  };
  if (lookup) {
    destination.find = async ({ alertId }) => {
      const res = await call(`${lookup}/${encodeURIComponent(alertId)}`, {
        method: "GET",
        headers: { [IDEMPOTENCY_HEADER]: alertId, ...signed(alertId) },
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status === 404) return undefined;
      if (res.ok) return alertId;
      throw new WebhookHttpError(res.status, retryAfterMs(res.headers.get("retry-after"), clock()));
    };
  }
  return destination;
}
