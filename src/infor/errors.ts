/**
 * Errors of the Infor client. Every error carries a stable `code`; callers branch on the code or
 * the class, never on message text. Messages never contain secrets (client secret, service-account
 * keys, tokens): they name keys, URLs without credentials, programs and request ids only.
 */

export type InforErrorCode =
  | "ionapi_invalid"
  | "auth_rejected"
  | "auth_failed"
  | "signin_capped"
  | "transport"
  | "http_status"
  | "malformed_response"
  | "mi_business"
  | "m3_columns_missing"
  | "m3_table_refused"
  | "ido_business"
  | "paging_stuck"
  | "query_too_long"
  | "unsupported";

export class InforError extends Error {
  readonly code: InforErrorCode;
  /** Our request id (sent as X-Request-Id) or the gateway's, for log correlation. */
  readonly requestId: string | undefined;
  constructor(code: InforErrorCode, message: string, requestId?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.requestId = requestId;
  }
}

/** A bad `.ionapi` file: names the key, never echoes a value that may be secret. */
export class IonapiError extends InforError {
  /** The first key named; `keys` lists all of them (saak and sask come as a pair). */
  readonly key: string;
  readonly keys: readonly string[];
  constructor(key: string | readonly string[], problem: string) {
    const keys = typeof key === "string" ? [key] : key;
    const named = keys.map((k) => `"${k}"`).join(" and ");
    super("ionapi_invalid", `.ionapi key${keys.length > 1 ? "s" : ""} ${named}: ${problem}`);
    this.key = keys[0] ?? "(file)";
    this.keys = keys;
  }
}

/**
 * The token endpoint refused the service account (`invalid_grant`, `invalid_client`, 400/401):
 * retrying will not help until an admin fixes the authorized app, so callers must not loop.
 */
export class AuthRejectedError extends InforError {
  readonly oauthError: string;
  constructor(oauthError: string) {
    super(
      "auth_rejected",
      `ION API rejected the service account (${oauthError}); check the authorized app and its service-account keys`,
    );
    this.oauthError = oauthError;
  }
}

/** The token endpoint failed for another reason (5xx, network, malformed reply). Retryable later. */
export class AuthFailedError extends InforError {
  constructor(message: string, options?: ErrorOptions) {
    super("auth_failed", message, undefined, options);
  }
}

/** Our own cap on sign-ins per minute was reached: ION allows only a few per service account. */
export class SignInCappedError extends InforError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super("signin_capped", `sign-in cap reached; next sign-in allowed in ${retryAfterMs} ms`);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Network-level failure (reset, refused, timeout) after the retries ran out. */
export class TransportError extends InforError {
  constructor(message: string, requestId: string, options?: ErrorOptions) {
    super("transport", message, requestId, options);
  }
}

/** An HTTP status we do not retry, or a retryable one after the retries ran out. */
export class HttpStatusError extends InforError {
  readonly status: number;
  constructor(status: number, url: string, requestId: string) {
    super("http_status", `HTTP ${status} from ${url}`, requestId);
    this.status = status;
  }
}

export type MalformedKind = "html" | "bad_json" | "truncated" | "unexpected_shape";

/** The gateway answered with something that is not the documented envelope. Never an empty list. */
export class MalformedResponseError extends InforError {
  readonly kind: MalformedKind;
  readonly status: number;
  constructor(kind: MalformedKind, detail: string, status: number, requestId: string) {
    super(
      "malformed_response",
      `malformed response (${kind}, HTTP ${status}): ${detail}`,
      requestId,
    );
    this.kind = kind;
    this.status = status;
  }
}

/** M3 said no: record not found, invalid input, mandatory field missing. */
export class MiBusinessError extends InforError {
  readonly program: string;
  readonly transaction: string;
  readonly errorCode: string;
  readonly field: string;
  readonly errorType: string;
  constructor(
    init: {
      program: string;
      transaction: string;
      errorCode?: string | undefined;
      field?: string | undefined;
      errorType?: string | undefined;
      message: string;
    },
    requestId: string,
  ) {
    super(
      "mi_business",
      `${init.program}/${init.transaction}: ${init.message.trim() || "error"}${init.field ? ` (field ${init.field})` : ""}`,
      requestId,
    );
    this.program = init.program;
    this.transaction = init.transaction;
    this.errorCode = init.errorCode?.trim() ?? "";
    this.field = init.field?.trim() ?? "";
    this.errorType = init.errorType?.trim() ?? "";
  }
}

/**
 * M3 returned some rows and then an error in the same answer (v1: `MIRecord` rows plus an
 * `ErrorMessage` object, Infor KB 2159861; v2: records next to a failed or terminated
 * transaction). The rows are kept for inspection, but the list is incomplete: callers must treat
 * this as a failed read, never as a short list.
 */
export class MiPartialResultError extends MiBusinessError {
  readonly partialRecords: ReadonlyArray<Record<string, string>>;
  constructor(
    init: ConstructorParameters<typeof MiBusinessError>[0],
    requestId: string,
    partialRecords: ReadonlyArray<Record<string, string>>,
  ) {
    super(
      {
        ...init,
        message: `${init.message.trim() || "error"} after ${partialRecords.length} row(s)`,
      },
      requestId,
    );
    this.partialRecords = partialRecords;
  }
}

/** A SyteLine IDO load answered `Success: false` (or a non-zero MessageCode). */
export class IdoBusinessError extends InforError {
  readonly ido: string;
  constructor(ido: string, message: string, requestId: string) {
    super("ido_business", `${ido}: ${message || "load failed"}`, requestId);
    this.ido = ido;
  }
}

export function isInforError(e: unknown): e is InforError {
  return e instanceof InforError;
}
