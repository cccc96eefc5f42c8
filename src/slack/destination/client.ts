import { WebClient, type WebClientOptions } from "@slack/web-api";
import { type ChatWrites, chatWrites, webClientWrites } from "./chat-writes.ts";
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
    // Look-ups and deletes go through it (posts and edits: chat-writes.ts): the lighter transport.
    fetch: requestFetch,
    ...extra,
  });
}

/**
 * The bulk path's posts and edits: chat-writes.ts on the token, with the same timeout as the
 * WebClient's; through the given client when tests hand one in (it then sees every call).
 */
export function createChatWrites(o: SlackOptions, timeoutMs: number): ChatWrites {
  if (o.client) return webClientWrites(o.client);
  return chatWrites({ token: o.token, slackApiUrl: o.slackApiUrl, timeoutMs });
}
