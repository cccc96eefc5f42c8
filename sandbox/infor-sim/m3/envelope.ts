import type { MiRecord } from "./context.ts";
import type { MiError } from "./errors.ts";
import { type MiTransactionSpec, outputFields } from "./specs.ts";

export type ErrorStyle = "results400" | "top400" | "results200";

export interface OutputOptions {
  returncols: string[];
  excludeempty: boolean;
  /** false: values padded to their field length, as v1 and `righttrim=false` send them. */
  righttrim: boolean;
}

/** Every swagger output field, in swagger order, values as strings. */
export function shapeRecords(
  spec: MiTransactionSpec,
  records: MiRecord[],
  options: OutputOptions,
): MiRecord[] {
  let fields = outputFields(spec);
  if (options.returncols.length > 0)
    fields = fields.filter(([name]) => options.returncols.includes(name));
  return records.map((record) => {
    const out: MiRecord = {};
    for (const [name, length] of fields) {
      const raw = record[name] ?? "";
      const value = options.righttrim ? raw.trimEnd() : raw.padEnd(length);
      if (options.excludeempty && value.trim() === "") continue;
      out[name] = value;
    }
    return out;
  });
}

export function v2Success(
  transaction: string,
  records: MiRecord[],
  parameters?: Record<string, string>,
): unknown {
  return {
    results: [{ transaction, ...(parameters ? { parameters } : {}), records }],
    // Public captures show the string "false" and no nrOfNotProcessedTransactions
    // (test/fixtures/m3/v2-string-wasterminated.json), although the swagger says boolean.
    wasTerminated: "false",
    nrOfSuccessfullTransactions: 1,
    nrOfFailedTransactions: 0,
  };
}

export function v2Error(
  transaction: string,
  error: MiError,
  style: ErrorStyle,
): { status: number; body: unknown } {
  const fields = {
    errorMessage: error.message,
    errorType: error.type,
    errorCode: error.code,
    errorField: error.field,
  };
  const counters = {
    wasTerminated: "false",
    nrOfSuccessfullTransactions: 0,
    nrOfFailedTransactions: 1,
  };
  if (style === "top400") return { status: 400, body: { ...fields, results: [], ...counters } };
  return {
    status: style === "results200" ? 200 : 400,
    body: { results: [{ transaction, records: [], ...fields }], ...counters },
  };
}

export function v1Success(
  program: string,
  transaction: string,
  spec: MiTransactionSpec,
  records: MiRecord[],
  options: OutputOptions,
): unknown {
  let fields = outputFields(spec);
  if (options.returncols.length > 0)
    fields = fields.filter(([name]) => options.returncols.includes(name));
  return {
    Program: program,
    Transaction: transaction,
    Metadata: {
      Field: fields.map(([name, length]) => ({
        "@name": name,
        "@type": "A",
        "@length": length,
        "@description": name,
      })),
    },
    // Numbers and unpadded values, as in Infor's KB 2159861 samples (test/fixtures/m3).
    MIRecord: records.map((record, index) => ({
      RowIndex: index,
      NameValue: Object.entries(record).map(([Name, Value]) => ({ Name, Value: Value.trimEnd() })),
    })),
  };
}

/** M3 pads the message and the field name of a NOK to their field lengths (KB 2159861 samples). */
function v1ErrorFields(error: MiError): Record<string, string> {
  return {
    "@type": error.type,
    "@code": error.code,
    "@cfg": "  ",
    "@field": error.field ? error.field.padEnd(10) : "",
    Message: error.message.padEnd(120),
  };
}

/** v1 reports a NOK with HTTP 200 and this body (test/fixtures/m3/v1-nok.json). */
export function v1Error(error: MiError): unknown {
  return v1ErrorFields(error);
}

/**
 * A list that fails after `afterRows` rows (Infor KB 2159861): v1 keeps the rows read so far and
 * adds an `ErrorMessage` object; v2 keeps them in results[0] next to the error fields.
 */
export function partialFailure(
  body: unknown,
  v2: boolean,
  afterRows: number,
  error: MiError,
): unknown {
  if (body === null || typeof body !== "object") return body;
  const b = body as Record<string, unknown>;
  if (!v2) {
    const rows = Array.isArray(b.MIRecord) ? b.MIRecord.slice(0, afterRows) : [];
    return { ...b, MIRecord: rows, ErrorMessage: v1ErrorFields(error) };
  }
  const results = Array.isArray(b.results) ? b.results : [];
  const first = (results[0] ?? {}) as Record<string, unknown>;
  const records = Array.isArray(first.records) ? first.records.slice(0, afterRows) : [];
  return {
    ...b,
    results: [
      {
        ...first,
        records,
        errorMessage: error.message,
        errorType: error.type,
        errorCode: error.code,
        errorField: error.field,
      },
    ],
    nrOfSuccessfullTransactions: 0,
    nrOfFailedTransactions: 1,
  };
}
