import type { TenantData } from "../data/model.ts";
import { checkTransaction, type M3Access, OPEN_ACCESS } from "./access.ts";
import { APPROVAL_SPECS } from "./approval-specs.ts";
import { takeDrop } from "./approval-state.ts";
import type { MiContext, MiHandler } from "./context.ts";
import {
  type ErrorStyle,
  type OutputOptions,
  shapeRecords,
  v1Error,
  v1Success,
  v2Error,
  v2Success,
} from "./envelope.ts";
import { MiError } from "./errors.ts";
import { MI_SPECS } from "./specs.ts";
import { approvalHandlers, withApprovalFields } from "./tx-approval.ts";
import { financeHandlers } from "./tx-finance.ts";
import { supplyHandlers } from "./tx-supply.ts";

const HANDLERS: Record<string, MiHandler> = {
  ...supplyHandlers,
  ...financeHandlers,
  ...approvalHandlers,
};
const getHead = HANDLERS["APS450MI/GetHead"];
if (getHead) HANDLERS["APS450MI/GetHead"] = withApprovalFields(getHead);
const SPECS = { ...MI_SPECS, ...APPROVAL_SPECS };

/**
 * Generic MI REST parameters (swagger), matched case-sensitively: lower-case `cono`/`divi` are the
 * session context, upper-case `CONO`/`DIVI` are transaction inputs. Everything else is an input.
 */
const CONTEXT_PARAMS = new Set([
  "cono",
  "divi",
  "lanc",
  "locale",
  "timeZone",
  "maxrecs",
  "dateformat",
  "excludeempty",
  "righttrim",
  "returncols",
  "format",
  "extendedresult",
]);

/** m3-h5-sdk's default when a list call sets no maxrecs. */
const DEFAULT_MAXRECS = 100;

export interface M3Reply {
  status: number;
  /** undefined = bare reply without body. */
  body?: unknown;
  /** The transaction ran but its answer is lost on the way back (ambiguous timeout). */
  drop?: boolean;
}

/** `rest` is what follows `/<TENANT>/M3/m3api-rest/`, e.g. `v2/execute/CRS620MI/LstSuppliers;maxrecs=5`. */
export function handleM3(
  rest: string,
  query: URLSearchParams,
  data: TenantData,
  errorStyle: ErrorStyle,
  access: M3Access = OPEN_ACCESS,
): M3Reply {
  const v2 = rest.startsWith("v2/execute/");
  if (!v2 && !rest.startsWith("execute/")) return { status: 404, body: { error: "Not Found" } };
  const [path = "", ...matrix] = decodeURIComponent(
    rest.slice(v2 ? "v2/execute/".length : "execute/".length),
  ).split(";");
  const [program = "", transaction = "", ...extra] = path.split("/");
  const key = `${program}/${transaction}`;
  const spec = SPECS[key];
  const handler = HANDLERS[key];
  // An unknown program or transaction: ION answers a bare 400 (m3-fields.md).
  if (!spec || !handler || extra.length > 0) return { status: 400 };
  const context = new Map<string, string>();
  const input: Record<string, string> = {};
  for (const part of matrix) {
    const eq = part.indexOf("=");
    if (eq > 0) context.set(part.slice(0, eq).toLowerCase(), part.slice(eq + 1));
  }
  for (const [name, value] of query) {
    if (CONTEXT_PARAMS.has(name)) context.set(name.toLowerCase(), value);
    else input[name.toUpperCase()] = value;
  }
  const options: OutputOptions = {
    returncols: (context.get("returncols") ?? "")
      .split(",")
      .map((c) => c.trim().toUpperCase())
      .filter(Boolean),
    excludeempty: context.get("excludeempty") === "true",
    righttrim: v2 && context.get("righttrim") !== "false",
  };
  try {
    checkTransaction(access, key);
    const dateformat = (context.get("dateformat") ?? "YMD8").toUpperCase();
    if (dateformat !== "YMD8")
      throw new MiError(
        `Date format ${dateformat} is not supported by the simulator`,
        "XDF0001",
        "dateformat",
      );
    for (const field of spec.inputs) {
      const value = input[field.name];
      if (value !== undefined && value.trimEnd().length > field.length) {
        throw new MiError(
          `Input field ${field.name} is too long`,
          "XIL0001",
          field.name,
          "InputFieldTooLong",
        );
      }
      if (field.required && (value === undefined || value.trim() === "")) {
        throw new MiError(
          `${field.label} must be entered`,
          "XMA0001",
          field.name,
          "MandatoryInputFieldNotFound",
        );
      }
      if (
        value !== undefined &&
        field.type === "N" &&
        value.trim() !== "" &&
        !/^-?\d+(\.\d+)?$/.test(value.trim())
      ) {
        throw new MiError(`${field.label} is not numeric`, "XNU0001", field.name);
      }
    }
    const maxrecsText = context.get("maxrecs");
    const ctx: MiContext = {
      data,
      input,
      cono: Number(context.get("cono") || "100"),
      divi: (context.get("divi") ?? "").trim(),
      access,
      maxrecs:
        maxrecsText === undefined || maxrecsText === "" ? DEFAULT_MAXRECS : Number(maxrecsText),
    };
    const records = shapeRecords(spec, handler(ctx), options);
    if (takeDrop(data)) return { status: 0, drop: true };
    if (!v2) return { status: 200, body: v1Success(program, transaction, spec, records, options) };
    const parameters = context.get("extendedresult") === "true" ? input : undefined;
    return { status: 200, body: v2Success(transaction, records, parameters) };
  } catch (error) {
    // A refused call changed nothing: its answer is never dropped.
    takeDrop(data);
    if (!(error instanceof MiError)) throw error;
    if (!v2) return { status: 200, body: v1Error(error) };
    return v2Error(transaction, error, errorStyle);
  }
}
