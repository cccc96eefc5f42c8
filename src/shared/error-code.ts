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

/**
 * The error's own code, else its cause's: fetch's TypeError("fetch failed") carries the network
 * error's code (ECONNRESET, UND_ERR_SOCKET) only in its cause.
 */
export function codeOrCauseOf(err: unknown): string | undefined {
  return codeOf(err) ?? codeOf((err as { cause?: unknown } | undefined)?.cause);
}

const PROGRAMMING_ERRORS = new Set(["TypeError", "RangeError", "ReferenceError", "SyntaxError"]);

/**
 * For a log line: what a code-less programming error says and where it was thrown (its first
 * stack frame), so a defect can be found from the log; other errors give nothing here, since
 * their messages may quote a request (a webhook URL, a token) and their code already says it.
 */
export function programmingErrorDetail(err: unknown): string | undefined {
  if (!(err instanceof Error) || !PROGRAMMING_ERRORS.has(err.name)) return undefined;
  // fetch's TypeError("fetch failed") is a network error: its cause has the code.
  if (codeOrCauseOf(err)) return undefined;
  const frame = err.stack
    ?.split("\n")
    .find((l) => l.trimStart().startsWith("at "))
    ?.trim();
  return `${err.name}: ${err.message.slice(0, 200)}${frame ? ` (${frame.slice(0, 200)})` : ""}`;
}
