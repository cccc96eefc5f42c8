/**
 * The stable `code` an error carries (Node's `ECONNRESET`, our `sync_busy`, Slack's
 * `slack_webapi_platform_error`): handling is decided on codes, never on message text.
 */
export function codeOf(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === "string" && code.length > 0) return code;
  }
  return undefined;
}
