import { abs, cmp, dec, isDecimalString, isZero, sum } from "../../shared/decimal.ts";
import type { InvoiceStatus } from "../records.ts";

/**
 * M3 status codes → canonical words (pure).
 *
 * Supplier invoice batch status SUPA (APS450, table FAPIBH), as Infor's APS450 documentation
 * lists it: 10 New, 15 Validated with errors, 20 Validated, 30 Printed, 40 Not approved,
 * 41/42/43 Adjusted, 50 Approved, 78 Invoice matching recoding failed, 79 Invoice matching failed,
 * 90 Updated in APL. Each code is mapped on its own (no ranges): 78 and 79 sit between 50 and 90
 * but are failures the clerk must fix (Infor: "the recoding invoice transaction must be deleted
 * ... corrected ... and reloaded"), so they are back in entry, never approved. 40 "Not approved"
 * is an invoice not (yet) approved for payment: it waits for approval; a rejection is the
 * rejection date REJD or reason SCRE on the batch, which wins over any status.
 * An unknown code (00 of older data, 80 "started, not finished") is "entry": never counted as
 * approved on a guess. The raw code stays in statusCode and its label in statusText.
 * "paid" is not an APS450 status: it comes from the AP ledger (FPLEDG); see `ledgerInvoiceStatus`.
 */
export const SUPA_LABELS: Readonly<Record<string, string>> = {
  "10": "New",
  "15": "Validated with errors",
  "20": "Validated",
  "30": "Printed",
  "40": "Not approved",
  "41": "Adjusted",
  "42": "Adjusted",
  "43": "Adjusted",
  "50": "Approved",
  "78": "Invoice matching recoding failed",
  "79": "Invoice matching failed",
  "90": "Updated in APL",
};

const SUPA_STATUS: Readonly<Record<string, InvoiceStatus>> = {
  "10": "entry",
  "15": "entry",
  "20": "entry",
  "30": "entry",
  "40": "approval",
  "41": "approval",
  "42": "approval",
  "43": "approval",
  "50": "approved",
  "78": "entry",
  "79": "entry",
  "90": "posted",
};

/** Two-digit code as M3 shows it ("5" and "05" are the same code). */
function supaCode(supa: string | undefined): string | undefined {
  const t = supa?.trim();
  if (!t || !/^\d{1,2}$/.test(t)) return t || undefined;
  return t.padStart(2, "0");
}

export function invoiceStatusFromSupa(supa: string | undefined, rejected: boolean): InvoiceStatus {
  if (rejected) return "rejected";
  const code = supaCode(supa);
  return (code && SUPA_STATUS[code]) || "entry";
}

/** APS450's label of a SUPA code, or undefined for a code Infor does not list. */
export function supaLabel(supa: string | undefined): string | undefined {
  const code = supaCode(supa);
  return code ? SUPA_LABELS[code] : undefined;
}

/**
 * Invoice batch type IBTP (APS450): 10 Self-billing, 20 Supplier invoice, 25 Recode,
 * 30 Debit note, 50 Supplier claim.
 */
export const IBTP_LABELS: Readonly<Record<string, string>> = {
  "10": "Self-billing",
  "20": "Supplier invoice",
  "25": "Recode",
  "30": "Debit note",
  "50": "Supplier claim",
};

/**
 * A posted invoice is paid when the payments booked against it in the AP ledger (FPLEDG TRCD 50
 * rows with its supplier and invoice number) cover its amount. The ledger books a payment with
 * the sign opposite to its invoice, and tenants differ in which side is negative: amounts are
 * compared unsigned. Anything unreadable, or no payment at all, is not paid.
 */
export function paidFromLedger(invoiceAmount: string | undefined, payments: string[]): boolean {
  if (payments.length === 0 || !invoiceAmount || !isDecimalString(invoiceAmount.trim()))
    return false;
  const readable = payments.map((p) => p.trim()).filter(isDecimalString);
  if (readable.length !== payments.length) return false;
  const total = abs(dec(invoiceAmount.trim()));
  const paid = abs(sum(readable.map((p) => dec(p))));
  return !isZero(total) && cmp(paid, total) >= 0;
}

/** A posted invoice (FPLEDG TRCD 40) is paid once nothing is outstanding. */
export function ledgerInvoiceStatus(outstanding: string | undefined): InvoiceStatus {
  const v = outstanding?.trim();
  if (v !== undefined && v !== "" && /^-?0*(\.0*)?$/.test(v)) return "paid";
  return "posted";
}

/**
 * PO status (PUSL lowest / PUST highest line status), M3 convention 15/20/35/50/75/85:
 * the order is as far as its least advanced line.
 */
export function poStatusWord(pusl: string | undefined): string {
  const n = Number(pusl);
  if (!pusl || !Number.isFinite(n)) return "unknown";
  if (n < 15) return "preliminary";
  if (n < 20) return "released";
  if (n < 35) return "sent";
  if (n < 50) return "confirmed";
  if (n < 75) return "received";
  if (n < 85) return "put away";
  if (n < 99) return "invoiced";
  return "closed";
}

/** Supplier status STAT: 10 preliminary, 20 definite (active), 90 blocked (M3 CRS620). */
export function supplierStatusWord(stat: string | undefined): { status: string; blocked: boolean } {
  switch (stat?.trim()) {
    case "10":
      return { status: "preliminary", blocked: false };
    case "20":
      return { status: "active", blocked: false };
    case "90":
      return { status: "blocked", blocked: true };
    default:
      return { status: stat?.trim() || "unknown", blocked: false };
  }
}
