import {
  HttpStatusError,
  MalformedResponseError,
  MiBusinessError,
  MiPartialResultError,
} from "../errors.ts";
import type { InforResponse } from "../http/client.ts";

/**
 * M3 MI REST replies, v2 and v1, normalized to one shape (pure functions of the HTTP response).
 * v2 (swagger BulkResponse): `{ results: [{ transaction, records: [{FIELD: "value"}], errorMessage?,
 *   errorCode?, errorField?, errorType? }], nrOfSuccessfullTransactions, nrOfFailedTransactions,
 *   wasTerminated }`; a failing call comes as HTTP 400 with the error at the top level or as
 *   HTTP 200 with the error inside results[0] (m3-h5-sdk 8 runtime.ts).
 * v1: `{ Program, Transaction, Metadata, MIRecord: [{ RowIndex, NameValue: [{Name, Value}] }] }`;
 *   an error is HTTP 200 with `{ "@type": "ServerReturnedNOK", Message, "@code", "@field", "@cfg" }`
 *   (other `@type`s too), or, after some rows, an `ErrorMessage` object next to `MIRecord`.
 * Every value is a string (numbers and dates too); values are right-trimmed here.
 */

export type MiRecord = Record<string, string>;

export interface MiResult {
  program: string;
  transaction: string;
  records: MiRecord[];
  requestId: string;
}

type Json = Record<string, unknown>;

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
}

/** Parse JSON or classify why it is not: an HTML page, a cut-off body, or garbage. */
export function parseJsonBody(res: InforResponse): unknown {
  const text = res.text;
  const head = text.trimStart().slice(0, 200).toLowerCase();
  const ctype = String(res.headers["content-type"] ?? "").toLowerCase();
  if (
    head.startsWith("<!doctype html") ||
    head.startsWith("<html") ||
    ctype.includes("text/html")
  ) {
    throw new MalformedResponseError(
      "html",
      "an HTML page instead of JSON",
      res.status,
      res.requestId,
    );
  }
  if (text.trim() === "") {
    throw new MalformedResponseError("truncated", "empty body", res.status, res.requestId);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    // V8 reports a cut-off document as "Unexpected end of JSON input" / "Unterminated string".
    const truncated = /end of JSON|Unterminated/i.test(msg);
    throw new MalformedResponseError(
      truncated ? "truncated" : "bad_json",
      `${truncated ? "body ends early" : "not JSON"}: ${excerpt(text)}`,
      res.status,
      res.requestId,
    );
  }
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

function rtrimValues(rec: Json): MiRecord {
  const out: MiRecord = {};
  for (const [k, v] of Object.entries(rec)) {
    out[k] = v === null || v === undefined ? "" : String(v).trimEnd();
  }
  return out;
}

function unexpected(res: InforResponse, what: string): MalformedResponseError {
  return new MalformedResponseError("unexpected_shape", what, res.status, res.requestId);
}

/**
 * Statuses other than 200 and 400 are not MI replies (403 policy, 404 wrong path, 500): typed
 * as HttpStatusError, never parsed, never retried as if the body were merely garbled.
 */
export function checkStatus(res: InforResponse): void {
  if (res.status !== 200 && res.status !== 400) {
    throw new HttpStatusError(res.status, res.url, res.requestId);
  }
}

/**
 * Statuses an MI reply may have (200, or 400 carrying a business error), and the bare HTTP 400
 * ION answers for an unknown program or transaction (m3-fields.md; a third-party harness reports
 * the same for v1): that one has no body to parse, so it becomes a business error here.
 */
function checkMiStatus(res: InforResponse, program: string, transaction: string): void {
  checkStatus(res);
  if (res.status === 400 && res.text.trim() === "") {
    throw new MiBusinessError(
      { program, transaction, message: "HTTP 400 without an error message" },
      res.requestId,
    );
  }
}

/**
 * `wasTerminated` is a boolean in the swagger but the string "true"/"false" in public captures
 * (test/fixtures/m3): both are read. Anything else is not a documented value.
 */
function flag(res: InforResponse, v: unknown, name: string): boolean {
  if (v === undefined || v === null || v === false || v === true) return v === true;
  if (typeof v === "string" && /^(true|false)$/i.test(v.trim())) {
    return v.trim().toLowerCase() === "true";
  }
  throw unexpected(res, `v2 ${name} is neither a boolean nor "true"/"false"`);
}

/** The swagger's int32 counters, also tolerated as numeric strings. */
function count(res: InforResponse, v: unknown, name: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d+\s*$/.test(v) ? +v : NaN;
  if (!Number.isInteger(n) || n < 0) throw unexpected(res, `v2 ${name} is not a count`);
  return n;
}

function v2Records(res: InforResponse, first: Json | undefined): MiRecord[] {
  const records = first?.records ?? [];
  if (!Array.isArray(records)) throw unexpected(res, "v2 results[0].records is not an array");
  const out: MiRecord[] = [];
  for (const r of records) {
    if (!isObject(r)) throw unexpected(res, "v2 record is not an object");
    out.push(rtrimValues(r));
  }
  return out;
}

/**
 * A failure with rows already returned is a partial result (the list is cut short); without
 * rows it is a plain business error. Neither is ever an empty success.
 */
function miFailure(
  init: ConstructorParameters<typeof MiBusinessError>[0],
  requestId: string,
  rows: MiRecord[],
): MiBusinessError {
  return rows.length > 0
    ? new MiPartialResultError(init, requestId, rows)
    : new MiBusinessError(init, requestId);
}

export function parseMiV2(res: InforResponse, program: string, transaction: string): MiResult {
  checkMiStatus(res, program, transaction);
  const body = parseJsonBody(res);
  if (!isObject(body)) throw unexpected(res, "v2 reply is not an object");
  const results = body.results;
  const first = Array.isArray(results) && isObject(results[0]) ? results[0] : undefined;
  const errSource = first && (first.errorMessage || first.errorCode) ? first : body;
  const errorMessage = str(errSource.errorMessage);
  const errorCode = str(errSource.errorCode);
  const terminated = flag(res, body.wasTerminated, "wasTerminated");
  const failed = count(res, body.nrOfFailedTransactions, "nrOfFailedTransactions");
  const hasError = Boolean(errorMessage || errorCode);
  if (!hasError && !terminated && failed === 0 && res.status !== 400) {
    if (!first) throw unexpected(res, "v2 reply has no results[0]");
    return { program, transaction, records: v2Records(res, first), requestId: res.requestId };
  }
  // Rows that came back next to the failure are kept on the error, never returned as the list.
  let rows: MiRecord[] = [];
  try {
    rows = v2Records(res, first);
  } catch {
    rows = [];
  }
  const message =
    errorMessage ??
    (terminated
      ? (str(body.terminationReason) ?? "bulk job terminated")
      : failed > 0
        ? `${failed} failed transaction(s) without an error message`
        : "HTTP 400 without an error message");
  throw miFailure(
    {
      program,
      transaction,
      message,
      errorCode,
      field: str(errSource.errorField),
      errorType:
        str(errSource.errorType) ??
        (terminated ? (str(body.terminationErrorType) ?? "Terminated") : undefined),
    },
    res.requestId,
    rows,
  );
}

/**
 * A v1 error object: `@type` (ServerReturnedNOK, MandatoryInputFieldNotFound, InputFieldTooLong,
 * TransactionNotFound, …), `Message`, `@code`, `@field`, `@cfg`. Any `@type` is a business error:
 * M3 answered, and retrying the same input gets the same answer.
 */
interface V1Error {
  message: string;
  errorType: string;
  code?: string | undefined;
  field?: string | undefined;
}

function v1Error(o: Json): V1Error | undefined {
  const type = str(o["@type"]);
  const message = str(o.Message);
  if (type === undefined && message === undefined) return undefined;
  return {
    message: message ?? "",
    errorType: type ?? "ServerReturnedNOK",
    code: str(o["@code"]),
    field: str(o["@field"]),
  };
}

function v1Rows(res: InforResponse, rows: unknown): MiRecord[] {
  if (rows === undefined || rows === null) return [];
  if (!Array.isArray(rows)) throw unexpected(res, "v1 MIRecord is not an array");
  const out: MiRecord[] = [];
  for (const row of rows) {
    const nv = isObject(row) ? row.NameValue : undefined;
    if (!Array.isArray(nv)) throw unexpected(res, "v1 MIRecord row without NameValue");
    const rec: MiRecord = {};
    for (const pair of nv) {
      if (!isObject(pair) || typeof pair.Name !== "string") {
        throw unexpected(res, "v1 NameValue entry without Name");
      }
      rec[pair.Name] = (str(pair.Value) ?? "").trimEnd();
    }
    out.push(rec);
  }
  return out;
}

export function parseMiV1(res: InforResponse, program: string, transaction: string): MiResult {
  checkMiStatus(res, program, transaction);
  const body = parseJsonBody(res);
  if (!isObject(body)) throw unexpected(res, "v1 reply is not an object");
  // The error is either the whole body or, on multi-tenant list transactions, an ErrorMessage
  // object next to the rows read before the failure (KB 2159861, test/fixtures/m3).
  const nested = isObject(body.ErrorMessage) ? v1Error(body.ErrorMessage) : undefined;
  const top = typeof body.Program === "string" ? undefined : v1Error(body);
  const err: V1Error | undefined =
    nested ??
    top ??
    (typeof body.ErrorMessage === "string"
      ? { message: body.ErrorMessage, errorType: "ServerReturnedNOK" }
      : undefined);
  if (err || res.status !== 200) {
    let rows: MiRecord[] = [];
    try {
      rows = v1Rows(res, body.MIRecord);
    } catch {
      rows = [];
    }
    throw miFailure(
      {
        program,
        transaction,
        message: err?.message ?? `HTTP ${res.status} without an error message`,
        errorType: err?.errorType,
        errorCode: err?.code,
        field: err?.field,
      },
      res.requestId,
      rows,
    );
  }
  // A v1 envelope always names its program; without it this is not an MI reply.
  if (typeof body.Program !== "string") throw unexpected(res, "v1 reply without Program");
  return { program, transaction, records: v1Rows(res, body.MIRecord), requestId: res.requestId };
}
