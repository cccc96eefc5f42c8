import { z } from "zod";
import { decimalString, moneySchema } from "../shared/money.ts";

/**
 * Canonical finance records: what the rest of the app sees, whichever ERP (M3, SyteLine) or
 * transport (MI REST, EXPORTMI, IDO, BOD) they came from. Mappers in `m3/` and `ido/` produce
 * them; `parseRecord` validates them, and a record that fails goes to quarantine, not to Slack.
 *
 * Conventions: amounts are Money (decimal string + currency); quantities are decimal strings;
 * dates are ISO `YYYY-MM-DD`; timestamps ISO 8601 UTC; ERP padding is trimmed.
 */

const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Days per month of a non-leap year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Digits at `at`..`at + len` as a number, or -1 if one is not a digit. */
function digitsAt(text: string, at: number, len: number): number {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

/**
 * A real calendar day: an ERP date like 2026-13-99 or 2026-02-29 is quarantined, not posted.
 * Read from the characters (no split, no Date): every date of every record goes through here.
 * Years 0000-0099 stay refused, as when this was a Date.UTC round trip (which reads them as 19xx).
 */
function isCalendarDate(text: string): boolean {
  const y = digitsAt(text, 0, 4);
  const m = digitsAt(text, 5, 2);
  const d = digitsAt(text, 8, 2);
  if (y < 100 || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : (MONTH_DAYS[m - 1] as number));
}

/** ISO_DATE_RE without the regex (the refinement below runs on every date). */
function hasIsoDateShape(text: string): boolean {
  return (
    text.length === 10 &&
    text.charCodeAt(4) === 45 &&
    text.charCodeAt(7) === 45 &&
    digitsAt(text, 0, 4) >= 0 &&
    digitsAt(text, 5, 2) >= 0 &&
    digitsAt(text, 8, 2) >= 0
  );
}

const isoDate = z
  .string()
  .regex(ISO_DATE_RE, { message: "expected an ISO date YYYY-MM-DD" })
  // zod runs refinements after a failed regex too: report the calendar only for the right shape.
  .refine((t) => !hasIsoDateShape(t) || isCalendarDate(t), { message: "not a calendar date" });
const trimmed = z.string().trim();
const nonEmpty = z.string().trim().min(1);

export const sourceSchema = z.enum(["m3", "syteline", "bod"]);

/** Where a record lives: the polling key and the routing key start from here. */
const scope = {
  tenant: nonEmpty,
  company: nonEmpty,
  division: trimmed.default(""),
  source: sourceSchema,
  /** Date of the last change in the ERP (date-only in M3: hence the poll overlap window). */
  changedAt: isoDate,
  /** ERP user who entered or last changed the document, for segregation of duties. */
  changedBy: trimmed.optional(),
};

export const supplierSchema = z.object({
  entity: z.literal("supplier"),
  ...scope,
  id: nonEmpty,
  name: trimmed,
  status: trimmed,
  currency: trimmed.optional(),
  country: trimmed.optional(),
  vatNumber: trimmed.optional(),
  paymentTerms: trimmed.optional(),
  blocked: z.boolean().default(false),
});

export const receiptSchema = z.object({
  /** Receipt / transaction reference as the ERP numbers it. */
  id: nonEmpty,
  date: isoDate,
  quantity: decimalString,
});

export const poLineSchema = z.object({
  line: z.number().int().nonnegative(),
  subLine: z.number().int().nonnegative().default(0),
  item: trimmed.default(""),
  description: trimmed.default(""),
  orderedQty: decimalString,
  receivedQty: decimalString,
  invoicedQty: decimalString.default("0"),
  /** Order unit: the unit of the quantities (M3 PUUN). */
  unit: trimmed.default(""),
  /** Price per `pricePer` units of `priceUnit` (M3 PUCD, PPUN), e.g. 12.40 per 100 pieces. */
  unitPrice: moneySchema,
  pricePer: decimalString.default("1"),
  /** Price unit (M3 PPUN) when the ERP gives one; absent means the order unit. */
  priceUnit: trimmed.optional(),
  costCenter: trimmed.optional(),
  account: trimmed.optional(),
  receipts: z.array(receiptSchema).default([]),
});

export const purchaseOrderSchema = z.object({
  entity: z.literal("purchase_order"),
  ...scope,
  number: nonEmpty,
  supplierId: nonEmpty,
  supplierName: trimmed.optional(),
  status: trimmed,
  /** Lowest and highest line status (M3 PUSL/PUST); status is the human word for it. */
  statusCode: trimmed.optional(),
  buyer: trimmed.default(""),
  orderDate: isoDate,
  deliveryDate: isoDate.optional(),
  currency: trimmed,
  total: moneySchema,
  costCenter: trimmed.optional(),
  lines: z.array(poLineSchema).default([]),
});

export const invoiceStatusSchema = z.enum([
  "entry",
  "approval",
  "approved",
  "rejected",
  "posted",
  "paid",
  "cancelled",
]);

export const invoiceLineSchema = z.object({
  line: z.number().int().nonnegative(),
  poNumber: trimmed.optional(),
  poLine: z.number().int().nonnegative().optional(),
  poSubLine: z.number().int().nonnegative().optional(),
  item: trimmed.optional(),
  description: trimmed.optional(),
  quantity: decimalString,
  unit: trimmed.optional(),
  unitPrice: moneySchema,
  /**
   * Price quantity (M3 PUCD): the price is per this many `priceUnit`. Absent when the ERP did not
   * say: the matched PO line's own price quantity then applies (M3 copies it from the PO line).
   */
  pricePer: decimalString.optional(),
  /** Price unit (M3 PPUN); absent means the PO line's price unit. */
  priceUnit: trimmed.optional(),
  amount: moneySchema,
  costCenter: trimmed.optional(),
  account: trimmed.optional(),
});

export const supplierInvoiceSchema = z.object({
  entity: z.literal("supplier_invoice"),
  ...scope,
  supplierId: nonEmpty,
  supplierName: trimmed.optional(),
  invoiceNumber: nonEmpty,
  /** M3 invoice batch number (APS450 INBN) while in entry / approval. */
  batchNumber: trimmed.optional(),
  invoiceDate: isoDate,
  dueDate: isoDate.optional(),
  accountingDate: isoDate.optional(),
  status: invoiceStatusSchema,
  statusCode: trimmed.optional(),
  /** The ERP's own label of statusCode (e.g. M3 "Invoice matching failed"). */
  statusText: trimmed.optional(),
  total: moneySchema,
  vat: moneySchema.optional(),
  poNumber: trimmed.optional(),
  costCenter: trimmed.optional(),
  /** True for a credit note (negative total). */
  credit: z.boolean().default(false),
  /**
   * Re-codes an invoice registered before under the same number (M3 batch type IBTP 25
   * "Recode": the preliminary invoice is recoded and matched in a second batch), so the two
   * share supplier and number without being duplicates.
   */
  recode: z.boolean().optional(),
  authorizedUser: trimmed.optional(),
  voucher: trimmed.optional(),
  lines: z.array(invoiceLineSchema).default([]),
});

export const paymentSchema = z.object({
  entity: z.literal("payment"),
  ...scope,
  supplierId: nonEmpty,
  supplierName: trimmed.optional(),
  reference: nonEmpty,
  invoiceNumber: trimmed.optional(),
  paymentDate: isoDate,
  amount: moneySchema,
  method: trimmed.optional(),
  voucher: trimmed.optional(),
  costCenter: trimmed.optional(),
});

export const glLineSchema = z.object({
  line: z.number().int().nonnegative(),
  account: nonEmpty,
  costCenter: trimmed.optional(),
  /** Other accounting dimensions (M3 AIT2..AIT7) by number. */
  dimensions: z.record(z.string(), z.string()).default({}),
  amount: moneySchema,
  text: trimmed.optional(),
});

export const glVoucherSchema = z.object({
  entity: z.literal("gl_voucher"),
  ...scope,
  voucher: nonEmpty,
  series: trimmed.default(""),
  year: z.number().int().optional(),
  period: z.number().int().optional(),
  accountingDate: isoDate,
  description: trimmed.optional(),
  lines: z.array(glLineSchema).default([]),
});

export const accountSchema = z.object({
  entity: z.literal("account"),
  ...scope,
  /** Accounting dimension: 1 = account, 2 = cost center in most M3 setups. */
  dimension: z.number().int().min(1).max(8),
  id: nonEmpty,
  name: trimmed,
  status: trimmed.default(""),
});

export const canonicalRecordSchema = z.discriminatedUnion("entity", [
  supplierSchema,
  purchaseOrderSchema,
  supplierInvoiceSchema,
  paymentSchema,
  glVoucherSchema,
  accountSchema,
]);

export type Supplier = z.infer<typeof supplierSchema>;
export type Receipt = z.infer<typeof receiptSchema>;
export type PoLine = z.infer<typeof poLineSchema>;
export type PurchaseOrder = z.infer<typeof purchaseOrderSchema>;
export type InvoiceStatus = z.infer<typeof invoiceStatusSchema>;
export type InvoiceLine = z.infer<typeof invoiceLineSchema>;
export type SupplierInvoice = z.infer<typeof supplierInvoiceSchema>;
export type Payment = z.infer<typeof paymentSchema>;
export type GlLine = z.infer<typeof glLineSchema>;
export type GlVoucher = z.infer<typeof glVoucherSchema>;
export type Account = z.infer<typeof accountSchema>;
export type CanonicalRecord = z.infer<typeof canonicalRecordSchema>;
export type Entity = CanonicalRecord["entity"];

export const ENTITIES = [
  "supplier",
  "purchase_order",
  "supplier_invoice",
  "payment",
  "gl_voucher",
  "account",
] as const satisfies readonly Entity[];

/**
 * The record's own id inside its company/division. An M3 supplier invoice is the invoice batch
 * (INBN) it was entered in, as M3 itself keys it (FAPIBH: CONO, DIVI, INBN): the supplier's
 * invoice number repeats across batches (a duplicate, a recode) and can be corrected in a batch,
 * so it cannot be the identity. Without a batch (SyteLine, BOD, a posted invoice whose batch is
 * gone) the id is supplier/number.
 */
export function invoiceId(
  r: Pick<SupplierInvoice, "source" | "batchNumber" | "supplierId" | "invoiceNumber">,
): string {
  return r.source === "m3" && r.batchNumber ? r.batchNumber : `${r.supplierId}/${r.invoiceNumber}`;
}

export function recordId(r: CanonicalRecord): string {
  switch (r.entity) {
    case "supplier":
      return r.id;
    case "purchase_order":
      return r.number;
    case "supplier_invoice":
      return invoiceId(r);
    case "payment":
      return r.reference;
    case "gl_voucher":
      return r.series ? `${r.series}/${r.voucher}` : r.voucher;
    case "account":
      return `${r.dimension}/${r.id}`;
  }
}

/** Stable key of a record across polls, restarts and replicas: `entity:tenant:company:division:id`. */
export function recordKey(r: CanonicalRecord): string {
  let key = recordKeys.get(r);
  if (key === undefined) {
    key = [r.entity, r.tenant, r.company, r.division, recordId(r)].join(":");
    recordKeys.set(r, key);
  }
  return key;
}

/**
 * Keys by record: the rules take the key of each of a supplier's other invoices for every
 * invoice they judge (bench/scenarios/pipeline.ts). Records are values (see validatedRecords).
 */
const recordKeys = new WeakMap<CanonicalRecord, string>();

export type ParseResult =
  | { ok: true; record: CanonicalRecord }
  | { ok: false; reason: string; issues: { path: string; message: string }[] };

/**
 * Records `parseRecord` returned: parsing one again returns it as it is. A mapped record was
 * validated by its mapper, again by the sync page and a third time inside its alert, a share of
 * the poll's CPU (bench/scenarios/pipeline.ts). Records are values: no code changes one after it
 * is made (a copy with changes, such as a supplier name added, is a new, unvalidated object).
 */
const validatedRecords = new WeakSet<object>();

/** Whether `value` is a record `parseRecord` returned (so it needs no validation again). */
export function isValidatedRecord(value: unknown): value is CanonicalRecord {
  return typeof value === "object" && value !== null && validatedRecords.has(value);
}

/** Validate a mapped record; failures name each field so quarantine can say what was wrong. */
export function parseRecord(input: unknown): ParseResult {
  if (isValidatedRecord(input)) return { ok: true, record: input };
  const result = canonicalRecordSchema.safeParse(input);
  if (result.success) {
    validatedRecords.add(result.data);
    return { ok: true, record: result.data };
  }
  const issues = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  return {
    ok: false,
    reason: issues.map((i) => `${i.path || "(record)"}: ${i.message}`).join("; "),
    issues,
  };
}
