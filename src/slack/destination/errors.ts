import { ErrorCode } from "@slack/web-api";
import type { Outcome } from "../../delivery/outcome.ts";

/** Errors that no retry can fix: the channel, the token or the message itself is wrong. */
export const FATAL_ERRORS = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "msg_too_long",
  "invalid_blocks",
  "invalid_blocks_format",
  "invalid_metadata_format",
  "invalid_metadata_schema",
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "no_permission",
  "missing_scope",
  "restricted_action",
  "cant_update_message",
  "edit_window_closed",
  "too_many_attachments",
  "no_text",
]);

interface SlackLikeError {
  code?: unknown;
  retryAfter?: unknown;
  data?: { error?: unknown };
  statusCode?: unknown;
}

/**
 * What a failed Slack call means for delivery. Classified by the SDK's stable error `code` and
 * Slack's `error` string (docs.slack.dev/reference/methods/chat.postMessage#errors), never by
 * message text.
 */
export function classify(err: unknown): Outcome {
  const e = (err ?? {}) as SlackLikeError;
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return { kind: "rate_limited", retryAfterMs: Math.max(1, Number(e.retryAfter ?? 1)) * 1000 };
    case ErrorCode.PlatformError: {
      const reason = String(e.data?.error ?? "unknown_error");
      if (reason === "ratelimited") return { kind: "rate_limited", retryAfterMs: 1000 };
      if (FATAL_ERRORS.has(reason)) return { kind: "fatal", reason };
      return { kind: "transient", reason };
    }
    case ErrorCode.HTTPError: {
      // Slack may have applied the call before answering 5xx: treat it as unknown. A 502 or 504
      // is a gateway that gave up on the server behind it (RFC 9110 §15.6.3, §15.6.5), which may
      // still apply it later; any other 5xx came from the server, whose request is over.
      const status = Number(e.statusCode ?? 0);
      if (status < 500) return { kind: "transient", reason: `http_${status}` };
      return gatewayGaveUp(status)
        ? { kind: "ambiguous", reason: `http_${status}` }
        : { kind: "ambiguous", reason: `http_${status}`, answered: true };
    }
    case ErrorCode.RequestError:
      return { kind: "ambiguous", reason: "request_error" };
    default:
      return { kind: "ambiguous", reason: "unexpected_error" };
  }
}

/** 502 Bad Gateway and 504 Gateway Timeout: a proxy answered, not the server behind it. */
export function gatewayGaveUp(status: number): boolean {
  return status === 502 || status === 504;
}

/**
 * chat.update's answers when the message can no longer be edited (`cant_update_message`,
 * `edit_window_closed`) or is gone (`message_not_found`): the new version is posted anew.
 */
export function editGone(outcome: Outcome): boolean {
  if (outcome.kind === "fatal")
    return outcome.reason === "cant_update_message" || outcome.reason === "edit_window_closed";
  return outcome.kind === "transient" && outcome.reason === "message_not_found";
}
