/** Errors of the Slack app boundary, with stable codes (never match on message text). */
export type SlackAppErrorCode =
  | "missing_signing_secret"
  | "missing_bot_token"
  | "bad_app_token"
  | "auth_test_failed";

export class SlackAppError extends Error {
  readonly code: SlackAppErrorCode;
  constructor(code: SlackAppErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SlackAppError";
    this.code = code;
  }
}
