import type { InvoiceStatus } from "../records.ts";

/**
 * M3 status codes → canonical words (pure).
 *
 * Supplier invoice batch status SUPA (APS450, table FAPIBH), two-digit:
 *   00-19 → entry     (00 entered / new, 10 validated with errors: still being keyed or fixed)
 *   20-49 → approval  (awaiting approval; 20 in the sandbox)
 *   50-89 → approved  (approved, ready for update to the AP ledger; 50 in the sandbox)
 *   90-99 → posted    (Infor docs: "status 90 – Updated in APL")
 * A rejection date (REJD) or reason (SCRE) on the batch wins → rejected.
 * "paid" is not an APS450 status: it comes from the AP ledger (FPLEDG / APS200MI) when the
 * outstanding amount OCUA is zero; see `ledgerInvoiceStatus`.
 * Only 00 and 90 are documented by Infor; 20 and 50 follow the sandbox and common setups. An
 * unknown (non-numeric) SUPA maps to "entry" with the raw code kept in statusCode.
 */
export function invoiceStatusFromSupa(supa: string | undefined, rejected: boolean): InvoiceStatus {
  if (rejected) return "rejected";
  const n = Number(supa);
  if (!supa || !Number.isFinite(n)) return "entry";
  if (n >= 90) return "posted";
  if (n >= 50) return "approved";
  if (n >= 20) return "approval";
  return "entry";
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
