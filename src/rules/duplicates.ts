import type { SupplierInvoice } from "../infor/records.ts";
import { recordKey } from "../infor/records.ts";
import { cmp, dec } from "../shared/decimal.ts";
import type { ExceptionDraft } from "./exception.ts";
import { formatMoney } from "./format.ts";
import { isLive } from "./quantities.ts";

/**
 * Invoice numbers as suppliers retype them: "INV-0042", "inv 42" and "INV42" are the same
 * document. Case, separators and leading zeros of digit runs are ignored; letters of any script
 * are kept ("ÅR-12" and "ÄR-12" are two documents, as are two Cyrillic series).
 */
export function normalizeInvoiceNumber(number: string): string {
  let normalized = normalizedNumbers.get(number);
  if (normalized === undefined) {
    normalized = number
      .toUpperCase()
      .replace(/[^\p{L}\p{N}]/gu, "")
      .replace(/\d+/g, (digits) => digits.replace(/^0+(?=\d)/, ""));
    if (normalizedNumbers.size >= NORMALIZED_NUMBERS_KEPT) normalizedNumbers.clear();
    normalizedNumbers.set(number, normalized);
  }
  return normalized;
}

/**
 * Normalized numbers by number: each invoice is compared with every other of its supplier, and
 * the regular expressions of each comparison were a share of the rules' CPU
 * (bench/scenarios/pipeline.ts). Bounded: emptied when full.
 */
const normalizedNumbers = new Map<string, string>();
const NORMALIZED_NUMBERS_KEPT = 10_000;

const DAY_MS = 86_400_000;

export function daysBetween(a: string, b: string): number {
  return Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / DAY_MS;
}

/**
 * Duplicates among the supplier's other invoices (the caller passes the ones it has; cancelled and
 * rejected ones are ignored, and a record with this invoice's own key is an earlier version of it).
 * - duplicate_number: same supplier and the same number once normalized;
 * - duplicate_amount: same supplier, same total to the cent (same currency), invoice dates at most
 *   `windowDays` apart.
 */
export function findDuplicates(
  invoice: SupplierInvoice,
  others: readonly SupplierInvoice[],
  windowDays: number,
  owner: string | undefined,
): ExceptionDraft[] {
  const ownKey = recordKey(invoice);
  const ownNumber = normalizeInvoiceNumber(invoice.invoiceNumber);
  const drafts: ExceptionDraft[] = [];
  // A recode batch repeats the number and amount of the invoice it recodes on purpose.
  if (invoice.recode) return drafts;
  const ownTotal = dec(invoice.total.amount);
  for (const other of others) {
    if (other.supplierId !== invoice.supplierId || !isLive(other)) continue;
    if (other.recode) continue;
    const otherKey = recordKey(other);
    if (otherKey === ownKey) continue;
    // Built for a duplicate only: most of the supplier's other invoices are not one, and
    // formatting each one's total was most of this rule's CPU (bench/scenarios/pipeline.ts).
    const facts = () => ({
      otherInvoiceKey: otherKey,
      otherInvoiceNumber: other.invoiceNumber,
      otherInvoiceDate: other.invoiceDate,
      otherTotal: formatMoney(other.total),
      otherStatus: other.status,
    });
    if (normalizeInvoiceNumber(other.invoiceNumber) === ownNumber) {
      drafts.push({
        rule: "duplicate_number",
        line: null,
        discriminator: otherKey,
        cause:
          `Same supplier and number as invoice ${other.invoiceNumber} of ${other.invoiceDate} ` +
          `(${formatMoney(other.total)}, ${other.status})`,
        amountAtStake: invoice.total,
        costCenter: owner,
        facts: facts(),
      });
      continue;
    }
    const sameAmount =
      other.total.currency === invoice.total.currency &&
      cmp(dec(other.total.amount), ownTotal) === 0;
    if (!sameAmount) continue;
    const days = daysBetween(other.invoiceDate, invoice.invoiceDate);
    if (days <= windowDays) {
      drafts.push({
        rule: "duplicate_amount",
        line: null,
        discriminator: otherKey,
        cause:
          `Same supplier and amount ${formatMoney(invoice.total)} as invoice ${other.invoiceNumber} ` +
          `of ${other.invoiceDate} (${days} ${days === 1 ? "day" : "days"} apart, ${other.status})`,
        amountAtStake: invoice.total,
        costCenter: owner,
        facts: { ...facts(), daysApart: String(days) },
      });
    }
  }
  return drafts;
}
