import { MiError } from "./errors.ts";
import type { Column, Table } from "./tables.ts";

/**
 * What the service account may read and which optional columns the tenant's tables have.
 * Real tenants differ: an older release or a trimmed data model lacks some columns, and an M3
 * security officer may refuse a service account a program, a transaction or a table (M3 API
 * security: "users can be restricted in their use of API programs and their transactions",
 * Infor M3 BE API Security). Strict mode models such a tenant so the client cannot rely on the
 * simulator holding every column it asks for.
 */
export interface M3Access {
  /** Columns (full names, e.g. IDCHID) the tenant's tables do not have. */
  missingColumns: readonly string[];
  /** Tables EXPORTMI/Select may not read for this account. */
  refusedTables: readonly string[];
  /** `PROGRAM/Transaction` pairs the account may not run. */
  refusedTransactions: readonly string[];
  /**
   * Infor's EXPORTMI notes: "Filters including division are only supported for API sessions
   * logged in on a global division (blank division)". When set, such a Select is refused.
   */
  divisionFilterNeedsBlankSession?: boolean;
}

export const OPEN_ACCESS: M3Access = {
  missingColumns: [],
  refusedTables: [],
  refusedTransactions: [],
};

/**
 * The strict profile: columns that are customer- or release-specific (changed-by user, VAT
 * number, item name on the PO line, extra accounting dimensions) are absent; the child tables
 * that have MI list transactions (supplier financials CIDVEN ↔ CRS620MI, PO receipts MPLIND ↔
 * PPS200MI/LstReceiptsByPO, invoice lines FAPIBL ↔ APS450MI/LstLines) are refused to EXPORTMI;
 * EXPORTMI/LstFields is refused, so a client must find columns by probing Select.
 */
export const STRICT_ACCESS: M3Access = {
  missingColumns: ["IDCHID", "IDVRNO", "IACHID", "IBPITD", "E5CHID", "EGAIT6", "EGAIT7"],
  refusedTables: ["CIDVEN", "MPLIND", "FAPIBL"],
  refusedTransactions: ["EXPORTMI/LstFields"],
  divisionFilterNeedsBlankSession: true,
};

export function accessFrom(strict: boolean | M3Access | undefined): M3Access {
  if (strict === true) return STRICT_ACCESS;
  if (!strict) return OPEN_ACCESS;
  return strict;
}

/**
 * A refusal in M3's business-error shape (ServerReturnedNOK with a message). Nothing public shows
 * the exact text M3 uses for a security refusal; this wording is the simulator's choice, so
 * clients must not parse it (the M3 client treats any non-column Select error as a refusal).
 */
export function refused(what: string): MiError {
  return new MiError(`You are not authorized to ${what}`, "XAU0001", "");
}

export function checkTransaction(access: M3Access, key: string): void {
  if (access.refusedTransactions.includes(key)) throw refused(`transaction ${key}`);
}

/** The table as this tenant has it: without its missing columns; refused tables throw. */
export function tableFor(access: M3Access, table: Table): Table {
  if (access.refusedTables.includes(table.name)) throw refused(`table ${table.name}`);
  if (access.missingColumns.length === 0) return table;
  const columns: Column[] = table.columns.filter((c) => !access.missingColumns.includes(c.name));
  return { ...table, columns };
}
