import { HttpStatusError, InforError, MiBusinessError } from "../errors.ts";
import type { TableSpec } from "./tables.ts";

/**
 * Which of a table spec's columns a tenant offers to this service account, found with as few
 * calls as M3 allows:
 *
 * 1. `EXPORTMI/LstFields FILE=<table>` lists the table's columns (one call). A Select with the
 *    offered columns and a row limit of 1 then confirms the account may read the table.
 * 2. Where LstFields is refused or unknown, a Select probe (`<cols> from <table>`, maxrecs 1):
 *    an error that names a requested column drops that column and probes again; an error that
 *    names none is narrowed down by bisection (keys alone first: if even they fail, the table
 *    is refused to EXPORTMI). M3's error texts for an unknown column are not published; Infor
 *    examples read like "Field IDCHID does not exist in CIDMAS", so a column is "named" when
 *    its full name appears as a word in the message or is the error field.
 *
 * Only M3 business errors (and a bare HTTP 400/403) are answers about columns; transport and
 * sign-in failures propagate, so a gateway blip never marks a column missing.
 */

export interface ColumnProbe {
  /** EXPORTMI/LstFields column names, or throws. */
  listFields(table: string): Promise<string[]>;
  /** EXPORTMI/Select of these columns with maxrecs 1; resolves when M3 accepts the query. */
  select(table: string, columns: string[]): Promise<void>;
}

export type TableAccess =
  | {
      kind: "exportmi";
      /** Columns of the spec the tenant does not offer (full names). */
      missing: string[];
      /** How they were found, for the log and the docs. */
      method: "lstfields" | "probe";
      /** Every column the detection looked at (a later spec with more columns re-detects). */
      checked: string[];
    }
  | { kind: "refused"; reason: string; checked: string[] };

/** Bisection stops after this many Select probes (a table of 30 columns needs far fewer). */
const MAX_PROBES = 60;

/** An M3 "no" about the query itself, as opposed to a failure to get an answer. */
export function isRefusal(err: unknown): err is InforError {
  if (err instanceof MiBusinessError) return true;
  // A bare 400 (unknown transaction through ION) or 403 (gateway authorization).
  return err instanceof HttpStatusError && (err.status === 400 || err.status === 403);
}

/** Requested columns an M3 error names (message word or error field). Pure. */
export function columnsNamed(err: InforError, columns: readonly string[]): string[] {
  const field = err instanceof MiBusinessError ? err.field.toUpperCase() : "";
  const words = new Set(err.message.toUpperCase().split(/[^A-Z0-9]+/));
  return columns.filter((c) => c === field || words.has(c));
}

export async function detectColumns(probe: ColumnProbe, spec: TableSpec): Promise<TableAccess> {
  const checked = [...spec.columns];
  const keys = spec.keys.map((k) => k.col);
  let listed: Set<string> | undefined;
  try {
    listed = new Set((await probe.listFields(spec.table)).map((c) => c.trim().toUpperCase()));
  } catch (err) {
    if (!isRefusal(err)) throw err;
  }
  if (listed && listed.size > 0 && keys.every((k) => listed.has(k))) {
    const offered = spec.columns.filter((c) => listed.has(c));
    try {
      await probe.select(spec.table, offered);
      return {
        kind: "exportmi",
        missing: spec.columns.filter((c) => !listed.has(c)),
        method: "lstfields",
        checked,
      };
    } catch (err) {
      if (!isRefusal(err)) throw err;
      // LstFields and Select disagree (column-level restriction?): find out by probing.
    }
  }
  return probeColumns(probe, spec, keys, checked);
}

async function probeColumns(
  probe: ColumnProbe,
  spec: TableSpec,
  keys: string[],
  checked: string[],
): Promise<TableAccess> {
  let probes = 0;
  const attempt = async (cols: string[]): Promise<InforError | undefined> => {
    if (++probes > MAX_PROBES) {
      throw new InforError(
        "malformed_response",
        `EXPORTMI column probe of ${spec.table} did not settle after ${MAX_PROBES} queries`,
      );
    }
    try {
      await probe.select(spec.table, cols);
      return undefined;
    } catch (err) {
      if (!isRefusal(err)) throw err;
      return err;
    }
  };

  const missing = new Set<string>();
  let cols = [...spec.columns];
  for (;;) {
    const err = await attempt(cols);
    if (!err) return { kind: "exportmi", missing: [...missing], method: "probe", checked };
    const named = columnsNamed(err, cols).filter((c) => !keys.includes(c));
    if (named.length === 0) break;
    for (const c of named) missing.add(c);
    cols = cols.filter((c) => !missing.has(c));
  }

  const keyError = await attempt(keys);
  if (keyError) return { kind: "refused", reason: keyError.message, checked };
  // The error named no column: bisect the non-key columns, keys always included.
  // `failing` = already known to fail (its parent failed and its sibling passed): no query.
  const bad = async (group: string[], failing: boolean): Promise<string[]> => {
    if (group.length === 0) return [];
    if (!failing && !(await attempt([...keys, ...group]))) return [];
    if (group.length === 1) return group;
    const mid = Math.ceil(group.length / 2);
    const left = await bad(group.slice(0, mid), false);
    return [...left, ...(await bad(group.slice(mid), left.length === 0))];
  };
  // The whole set failed and the keys alone passed, so the non-key columns are known to fail.
  for (const c of await bad(
    cols.filter((c) => !keys.includes(c)),
    true,
  ))
    missing.add(c);
  return {
    kind: "exportmi",
    missing: spec.columns.filter((c) => missing.has(c)),
    method: "probe",
    checked,
  };
}
