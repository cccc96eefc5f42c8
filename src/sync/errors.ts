import { codeOf } from "../shared/error-code.ts";

/** Stable codes for sync failures: callers branch on `code`, never on message text. */
export type SyncErrorCode =
  /** Another poll for the same key holds the lock (a backfill asked while a poll runs). */
  | "sync_busy"
  /** The key's lock expired or was taken over mid-poll; the poll stopped before committing. */
  | "sync_lock_lost"
  /** The source (ION gateway) failed: down, throttled or answered garbage. */
  | "sync_source_failed"
  /** The poll was stopped between pages (shutdown); nothing after the last page was committed. */
  | "sync_aborted"
  /** The sink could not store the batch's alerts; nothing after it was committed. */
  | "sync_sink_failed"
  /** A schedule or option that cannot work (no cron and no interval, bad date). */
  | "sync_bad_config";

export class SyncError extends Error {
  readonly code: SyncErrorCode;
  override readonly cause?: unknown;

  constructor(code: SyncErrorCode, message: string, cause?: unknown) {
    super(message);
    this.name = "SyncError";
    this.code = code;
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * Best stable code for any thrown value: for a source failure the client's own code (e.g. a
 * throttling code) when it has one, else our code, else a generic one.
 */
export function syncFailureCode(err: unknown): string {
  if (err instanceof SyncError && err.code === "sync_source_failed" && err.cause !== undefined) {
    const inner = codeOf(err.cause);
    if (inner) return inner;
  }
  return codeOf(err) ?? "sync_source_failed";
}

/**
 * What went wrong in words an admin can act on: the innermost cause's message, e.g. M3's own
 * "EXPORTMI/Select: Field IDCHID does not exist in CIDMAS (field QERY)". Client errors are
 * written never to hold secrets (src/infor/errors.ts); the text is cut to stay one line.
 */
export function errorDetail(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (e as { cause?: unknown } | undefined)?.cause;
    if (!(cause instanceof Error)) break;
    e = cause;
  }
  const text = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
  const code = (e as { errorCode?: unknown }).errorCode;
  const withCode =
    typeof code === "string" && code && !text.includes(code) ? `${text} [${code}]` : text;
  return withCode.length > 300 ? `${withCode.slice(0, 299)}…` : withCode;
}
