import type { PurchaseOrder, SupplierInvoice } from "../infor/records.ts";
import type { MatchException } from "../rules/exception.ts";

/** Where an invoice lives in the ERP: the scope its POs and sibling invoices are looked up in. */
export interface InvoiceScope {
  readonly tenant: string;
  readonly company: string;
  readonly division: string;
}

/** A lookup answer as the Infor source facade gives it: records found plus rows that failed validation. */
export interface LookupResult<T> {
  readonly records: readonly T[];
  readonly rejects: readonly unknown[];
}

/**
 * What the tracker reads from the ERP. `lookupsFromSources` implements it on the Infor source
 * facade (src/infor/source.ts); tests pass fakes.
 */
export interface MatchLookups {
  /** The purchase order with its lines and receipts; "not found" is an empty `records`. */
  getPurchaseOrder(scope: InvoiceScope, number: string): Promise<LookupResult<PurchaseOrder>>;
  /**
   * Many POs of one scope in set-based reads, answered per number as `getPurchaseOrder` would
   * (optional: without it the tracker's prefetch asks per PO, which is what it saves).
   */
  getPurchaseOrders?(
    scope: InvoiceScope,
    numbers: readonly string[],
  ): Promise<Map<string, LookupResult<PurchaseOrder>>>;
  /**
   * Invoices of the supplier with this number in the ERP (optional): catches duplicates of
   * invoices entered before the bot started watching, which the seen-invoices index cannot know.
   */
  findInvoices?(
    scope: InvoiceScope,
    supplierId: string,
    number: string,
  ): Promise<LookupResult<SupplierInvoice>>;
}

/** One exception that is open on an invoice, with where and how it was posted. */
export interface OpenEntry {
  /** The exception as last posted (its facts explain a later resolution). */
  readonly exception: MatchException;
  /** Channel the opened alert went to: the resolution must edit the message there. */
  readonly channel: string;
  /** How many times this exception id has been opened on this invoice (1 the first time). */
  readonly occurrence: number;
  /** Edits since it was opened (0 = as opened). */
  readonly update: number;
  /** Alert id of the last version sent (opened or edited). */
  readonly alertId: string;
  /** Pending approval behind the Approve / Reject / Hold buttons, when it needs a decision. */
  readonly approvalId?: string;
  /** When it opened or last changed (ISO instant), shown on its line of the invoice's message. */
  readonly since?: string;
}

/** An exception that resolved: its line stays on the invoice's message, marked resolved. */
export interface ResolvedEntry {
  readonly exception: MatchException;
  readonly channel: string;
  readonly occurrence: number;
  readonly reason: string;
  /** When it resolved (ISO instant). */
  readonly at: string;
  readonly approvalId?: string;
}

/** The invoice's message in one channel: every version of it is one alert of the same subject. */
export interface DocEntry {
  readonly channel: string;
  /** Versions sent so far (1 = the first post). */
  readonly rev: number;
  /** Alert id of the last version. */
  readonly alertId: string;
}

/** What the tracker keeps per invoice (Redis, keyed by the invoice's record key). */
export interface InvoiceState {
  /** The invoice as last evaluated: a PO change re-evaluates it without an ERP read. */
  readonly invoice: SupplierInvoice;
  readonly open: readonly OpenEntry[];
  /** Exception id → times opened; keeps alert ids of a re-opened exception new. */
  readonly occurrences: Readonly<Record<string, number>>;
  /** Dependency tokens this invoice is registered under (see `dependencyTokens`). */
  readonly deps: readonly string[];
  /** Resolved exceptions still listed on the invoice's message (newest kept). */
  readonly resolved?: readonly ResolvedEntry[];
  /** The invoice's message per channel (one message per document). */
  readonly docs?: readonly DocEntry[];
}

/** A stored state with its optimistic-concurrency revision (0 = none stored). */
export interface VersionedState {
  readonly rev: number;
  readonly state: InvoiceState | undefined;
}
