import { createHash } from "node:crypto";
import type { Money } from "../shared/money.ts";

/**
 * A match exception: destination-neutral (what is wrong, on which invoice line, for which cost
 * center, how much money is at stake). Renderers (Slack blocks, others later) read `cause` and
 * `facts`; they never recompute numbers.
 *
 * Rounding rules (all exceptions):
 * - every comparison (tolerances, quantities, amounts, duplicate totals) is exact: decimal
 *   strings become bigint coefficients and ratios are compared by cross-multiplication; no float
 *   ever touches an amount, quantity or percentage;
 * - percentages are shown to 1 decimal, rounded half away from zero; when that rounding would make
 *   a variance above the limit look equal to it (2.04 % shown as 2.0 % against 2 %), more decimals
 *   are shown until the difference is visible (2.04 %);
 * - unit prices are shown exactly as the ERP sent them, padded to the currency's minor units;
 * - amounts at stake are rounded half away from zero to the currency's minor units (ISO 4217).
 */
export const EXCEPTION_RULES = [
  "price_variance",
  "quantity_over_received",
  "quantity_over_ordered",
  "no_receipt",
  "credit_over_invoiced",
  "no_po",
  "po_not_found",
  "po_supplier_mismatch",
  "po_line_not_found",
  "unit_mismatch",
  "charge_without_quantity",
  "currency_mismatch",
  "duplicate_number",
  "duplicate_amount",
] as const;

export type ExceptionRule = (typeof EXCEPTION_RULES)[number];
export type Severity = "high" | "medium" | "low";
export type DecisionAction = "accept" | "reject" | "hold";

/**
 * Severity and whether an approver must decide. Data problems an AP clerk fixes in the ERP
 * (a wrong PO line, a unit that does not match) carry no approval buttons: accepting them would
 * not make the data right.
 */
export const RULE_META: Readonly<
  Record<ExceptionRule, { severity: Severity; needsDecision: boolean; title: string }>
> = {
  price_variance: { severity: "medium", needsDecision: true, title: "Price variance" },
  quantity_over_received: {
    severity: "medium",
    needsDecision: true,
    title: "Quantity above received",
  },
  quantity_over_ordered: {
    severity: "medium",
    needsDecision: true,
    title: "Quantity above ordered",
  },
  no_receipt: { severity: "medium", needsDecision: true, title: "No receipt" },
  credit_over_invoiced: { severity: "medium", needsDecision: true, title: "Credit above invoiced" },
  no_po: { severity: "high", needsDecision: true, title: "No purchase order" },
  po_not_found: { severity: "high", needsDecision: true, title: "Purchase order not found" },
  po_supplier_mismatch: { severity: "high", needsDecision: true, title: "PO of another supplier" },
  po_line_not_found: { severity: "low", needsDecision: false, title: "PO line not found" },
  unit_mismatch: { severity: "low", needsDecision: false, title: "Unit of measure differs" },
  charge_without_quantity: {
    severity: "medium",
    needsDecision: true,
    title: "Charge without quantity",
  },
  currency_mismatch: { severity: "high", needsDecision: true, title: "Currency mismatch" },
  duplicate_number: { severity: "high", needsDecision: true, title: "Duplicate invoice" },
  duplicate_amount: { severity: "medium", needsDecision: true, title: "Possible duplicate" },
};

export interface ExceptionRef {
  readonly tenant: string;
  readonly company: string;
  readonly division: string;
  readonly supplierId: string;
  readonly supplierName?: string;
  readonly invoiceNumber: string;
  readonly invoiceDate: string;
  readonly poNumber?: string;
  readonly poLine?: number;
  readonly poSubLine?: number;
}

export interface MatchException {
  /** Opaque and stable: the same problem on the same invoice line keeps its id across polls. */
  readonly id: string;
  /** recordKey() of the invoice. */
  readonly invoiceKey: string;
  readonly rule: ExceptionRule;
  readonly title: string;
  readonly severity: Severity;
  /** Invoice line number, or null for the invoice as a whole. */
  readonly line: number | null;
  /** Plain words and numbers, e.g. "Line 3: unit price 12.40 EUR vs PO 11.90 EUR (+4.2 %, tolerance 2 %)". */
  readonly cause: string;
  readonly amountAtStake: Money;
  /** Owning cost center: PO line, else invoice line coding, else invoice header, else PO header. */
  readonly costCenter?: string;
  readonly needsDecision: boolean;
  readonly actions: readonly DecisionAction[];
  readonly ref: ExceptionRef;
  /** Display-ready values (strings) for renderers and for explaining a later resolution. */
  readonly facts: Readonly<Record<string, string>>;
}

const DECISION_ACTIONS: readonly DecisionAction[] = ["accept", "reject", "hold"];

/** sha256 of (invoice key, rule, discriminator): ids are opaque so Slack metadata leaks nothing. */
export function exceptionId(
  invoiceKey: string,
  rule: ExceptionRule,
  discriminator: string,
): string {
  const digest = createHash("sha256")
    .update(`${invoiceKey}\u0000${rule}\u0000${discriminator}`)
    .digest("hex");
  return `mx_${digest.slice(0, 32)}`;
}

export interface ExceptionDraft {
  readonly rule: ExceptionRule;
  readonly line: number | null;
  /** Extra id input when one line can carry the rule more than once (e.g. the other invoice). */
  readonly discriminator?: string;
  readonly cause: string;
  readonly amountAtStake: Money;
  readonly costCenter: string | undefined;
  readonly poNumber?: string | undefined;
  readonly poLine?: number | undefined;
  readonly poSubLine?: number | undefined;
  readonly facts: Readonly<Record<string, string>>;
}

export function buildException(
  invoiceKey: string,
  base: Omit<ExceptionRef, "poNumber" | "poLine" | "poSubLine">,
  draft: ExceptionDraft,
): MatchException {
  const meta = RULE_META[draft.rule];
  const lineKey = draft.line === null ? "header" : `line:${draft.line}`;
  const discriminator = draft.discriminator ? `${lineKey}:${draft.discriminator}` : lineKey;
  const ref: ExceptionRef = {
    ...base,
    ...(draft.poNumber !== undefined ? { poNumber: draft.poNumber } : {}),
    ...(draft.poLine !== undefined ? { poLine: draft.poLine } : {}),
    ...(draft.poSubLine !== undefined ? { poSubLine: draft.poSubLine } : {}),
  };
  return {
    id: exceptionId(invoiceKey, draft.rule, discriminator),
    invoiceKey,
    rule: draft.rule,
    title: meta.title,
    severity: meta.severity,
    line: draft.line,
    cause: draft.cause,
    amountAtStake: draft.amountAtStake,
    ...(draft.costCenter !== undefined ? { costCenter: draft.costCenter } : {}),
    needsDecision: meta.needsDecision,
    actions: meta.needsDecision ? DECISION_ACTIONS : [],
    ref,
    facts: draft.facts,
  };
}
