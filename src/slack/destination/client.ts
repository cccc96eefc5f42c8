import { WebClient, type WebClientOptions } from "@slack/web-api";
import { requestFetch } from "./request-fetch.ts";

export interface SlackOptions {
  token: string;
  /** The emulator in tests and the sandbox (`…/api/`); Slack's default otherwise. */
  slackApiUrl?: string;
  /** Replaces the client built from token/slackApiUrl (tests). */
  client?: WebClient;
}

/** Build the WebClient for the bulk path: no SDK retries, 429s thrown at once (we pace ourselves). */
export function createSlackClient(
  o: SlackOptions,
  timeoutMs: number,
  extra: WebClientOptions = {},
): WebClient {
  if (o.client) return o.client;
  return new WebClient(o.token, {
    ...(o.slackApiUrl ? { slackApiUrl: o.slackApiUrl } : {}),
    // The SDK's own 429 handling pauses every call on the client: that would stall all channels.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
    // Every post and edit goes through it: the lighter transport (request-fetch.ts).
    fetch: requestFetch,
    ...extra,
  });
}
