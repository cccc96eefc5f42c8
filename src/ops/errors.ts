/** Stable codes for everything `ops/` refuses; callers branch on `code`, never on message text. */
export type OpsErrorCode =
  | "bod_unauthenticated"
  | "bod_body_too_large"
  | "bod_doctype_forbidden"
  | "bod_malformed_xml"
  | "bod_not_a_bod"
  | "bod_invalid_record"
  | "bod_unsupported_media_type"
  | "check_timeout"
  | "check_failed"
  | "redis_write_refused"
  | "polls_failing"
  | "shutdown_deadline";

export class OpsError extends Error {
  readonly code: OpsErrorCode;
  /** What a readiness check shows next to its code (/readyz `detail`); never secrets. */
  readonly detail: Record<string, unknown> | undefined;
  constructor(code: OpsErrorCode, message: string, detail?: Record<string, unknown>) {
    super(message);
    this.name = "OpsError";
    this.code = code;
    this.detail = detail;
  }
}
