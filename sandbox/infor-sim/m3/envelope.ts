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
    wasTerminated: false,
    nrOfSuccessfullTransactions: 1,
    nrOfFailedTransactions: 0,
    nrOfNotProcessedTransactions: 0,
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
    wasTerminated: false,
    nrOfSuccessfullTransactions: 0,
    nrOfFailedTransactions: 1,
    nrOfNotProcessedTransactions: 0,
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
        "@length": String(length),
        "@description": name,
      })),
    },
    MIRecord: records.map((record, index) => ({
      RowIndex: String(index),
      NameValue: Object.entries(record).map(([Name, Value]) => ({ Name, Value })),
    })),
  };
}

/** v1 reports a NOK with HTTP 200 and this body (infor-ion-api.md). */
export function v1Error(error: MiError): unknown {
  return {
    "@type": "ServerReturnedNOK",
    Message: error.message,
    "@code": error.code,
    "@field": error.field,
  };
}
