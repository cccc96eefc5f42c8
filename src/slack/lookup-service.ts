import type {
  GlVoucher,
  Payment,
  PurchaseOrder,
  Supplier,
  SupplierInvoice,
} from "../infor/records.ts";
import type { GlPeriod } from "./commands/parse.ts";

/**
 * What `/infor` lookups need from the ERP side. The Infor client's source facade implements it
 * (adapted in one place when it lands); tests and the bench pass small in-memory versions.
 * Every method may throw an error with a stable `code`; the command answers with a short message.
 */
export interface LookupService {
  getPurchaseOrder(number: string): Promise<PurchaseOrder | undefined>;
  /** By invoice number, optionally narrowed to one supplier (id). */
  findInvoices(query: { number: string; supplier?: string }): Promise<SupplierInvoice[]>;
  /** By id (exact) or by name words (all words must appear). */
  searchSuppliers(query: { text: string; byId: boolean }): Promise<Supplier[]>;
  /** Recent invoices and payments of one supplier, newest first. */
  supplierActivity?(
    supplierId: string,
  ): Promise<{ invoices: SupplierInvoice[]; payments: Payment[] }>;
  /** By payment reference or by the invoice number it paid. */
  findPayments(reference: string): Promise<Payment[]>;
  glPostings(account: string, period?: GlPeriod): Promise<GlVoucher[]>;
  /** Open exceptions of a record (3-way match etc.), one line each. */
  openExceptions?(recordKey: string): Promise<string[]>;
  /**
   * Open exceptions on the invoices matched against a PO, one line each naming the invoice:
   * exceptions are kept per invoice, so a PO's own record key finds none.
   */
  poExceptions?(po: PurchaseOrder): Promise<string[]>;
  /** Approval state shown on an invoice answer ("pending with @ap-approvers", "approved by …"). */
  approvalState?(recordKey: string): Promise<string | undefined>;
  /** Link to the record in the ERP UI, when the deployment knows how to build one. */
  recordUrl?(recordKey: string): string | undefined;
}

/** Operational status for `/infor status` (the ops and sync modules implement it). */
export interface StatusReport {
  entities: {
    entity: string;
    lastPollAt?: string;
    nextPollAt?: string;
    /** How far the watermark trails the clock, in seconds. */
    lagSeconds?: number;
    ok: boolean;
    /** Why the last poll failed, in the source's own words (M3's message and field). */
    error?: string;
  }[];
  queueDepth?: number;
  deadLetters?: number;
  tokenExpiresAt?: string;
  unrouted?: number;
  notes?: string[];
}

export type StatusProvider = () => Promise<StatusReport>;

/** Re-post from the audit log (admins only). Returns a one-line result for the admin. */
export type ReplayFn = (input: {
  target: { by: "alert"; alertId: string } | { by: "since"; since: string };
  requestedBy: string;
}) => Promise<{ ok: boolean; message: string }>;

/** Health lines for App Home ("ION API: ok, token valid 42 min"). */
export type HealthProvider = () => Promise<{ name: string; ok: boolean; detail?: string }[]>;
