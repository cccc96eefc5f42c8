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
  | "shutdown_deadline";

export class OpsError extends Error {
  readonly code: OpsErrorCode;
  constructor(code: OpsErrorCode, message: string) {
    super(message);
    this.name = "OpsError";
    this.code = code;
  }
}

/** The `code` of an error when it has a string one (our errors, Slack's, ioredis'), else undefined. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === "string" && code.length > 0) return code;
  }
  return undefined;
}
