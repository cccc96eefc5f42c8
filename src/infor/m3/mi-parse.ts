import { HttpStatusError, MalformedResponseError, MiBusinessError } from "../errors.ts";
import type { InforResponse } from "../http/client.ts";

/**
 * M3 MI REST replies, v2 and v1, normalized to one shape (pure functions of the HTTP response).
 * v2 (swagger BulkResponse): `{ results: [{ transaction, records: [{FIELD: "value"}], errorMessage?,
 *   errorCode?, errorField?, errorType? }], nrOfSuccessfullTransactions, nrOfFailedTransactions,
 *   wasTerminated }`; a failing call comes as HTTP 400 with the error at the top level or as
 *   HTTP 200 with the error inside results[0] (m3-h5-sdk 8 runtime.ts).
 * v1: `{ Program, Transaction, Metadata, MIRecord: [{ RowIndex, NameValue: [{Name, Value}] }] }`;
 *   an error is HTTP 200 with `{ "@type": "ServerReturnedNOK", Message, "@code", "@field" }`.
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

export function parseMiV2(res: InforResponse, program: string, transaction: string): MiResult {
  checkMiStatus(res, program, transaction);
  const body = parseJsonBody(res);
  if (!isObject(body)) throw unexpected(res, "v2 reply is not an object");
  const results = body.results;
  const first = Array.isArray(results) ? results[0] : undefined;
  const errSource = isObject(first) && (first.errorMessage || first.errorCode) ? first : body;
  const errorMessage = str(errSource.errorMessage);
  const errorCode = str(errSource.errorCode);
  if (errorMessage || errorCode || res.status === 400) {
    throw new MiBusinessError(
      {
        program,
        transaction,
        message: errorMessage ?? (res.status === 400 ? "HTTP 400 without an error message" : ""),
        errorCode,
        field: str(errSource.errorField),
        errorType: str(errSource.errorType),
      },
      res.requestId,
    );
  }
  if (body.wasTerminated === true) {
    throw new MiBusinessError(
      {
        program,
        transaction,
        message: str(body.terminationReason) ?? "bulk job terminated",
        errorType: str(body.terminationErrorType) ?? "Terminated",
      },
      res.requestId,
    );
  }
  if (!isObject(first)) throw unexpected(res, "v2 reply has no results[0]");
  const records = first.records ?? [];
  if (!Array.isArray(records)) throw unexpected(res, "v2 results[0].records is not an array");
  const out: MiRecord[] = [];
  for (const r of records) {
    if (!isObject(r)) throw unexpected(res, "v2 record is not an object");
    out.push(rtrimValues(r));
  }
  return { program, transaction, records: out, requestId: res.requestId };
}

export function parseMiV1(res: InforResponse, program: string, transaction: string): MiResult {
  checkMiStatus(res, program, transaction);
  const body = parseJsonBody(res);
  if (!isObject(body)) throw unexpected(res, "v1 reply is not an object");
  if (body["@type"] === "ServerReturnedNOK" || (res.status >= 400 && body.Message)) {
    const code = str(body["@code"]);
    const field = str(body["@field"]);
    throw new MiBusinessError(
      {
        program,
        transaction,
        message: str(body.Message) ?? "",
        errorType: str(body["@type"]) ?? "ServerReturnedNOK",
        errorCode: code,
        field,
      },
      res.requestId,
    );
  }
  if (res.status !== 200) throw unexpected(res, `unexpected HTTP ${res.status} for an MI call`);
  // A v1 envelope always names its program; without it this is not an MI reply.
  if (typeof body.Program !== "string") throw unexpected(res, "v1 reply without Program");
  const rows = body.MIRecord ?? [];
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
  return { program, transaction, records: out, requestId: res.requestId };
}
