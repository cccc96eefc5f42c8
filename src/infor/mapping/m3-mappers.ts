/**
 * M3 rows → canonical records (pure; never throw). Rows use MI field codes without table prefix:
 * MI list/get transactions give them directly and `exportSelect` strips the EXPORTMI prefixes
 * (CIDMAS ID, MPHEAD IA, MPLINE IB, MPLIND IC, FAPIBH E5, FAPIBL E6, FPLEDG EP, FGLEDG EG,
 * FCHACC EA). Field meanings from the M3 API v2 swagger (m3-fields.md).
 */

export { mapM3InvoiceBatch, mapM3LedgerInvoice, mapM3Payment } from "./m3-ap.ts";
export { mapM3GlVoucher } from "./m3-gl.ts";
export { mapM3Account, mapM3Supplier } from "./m3-masters.ts";
export { mapM3PurchaseOrder } from "./m3-purchasing.ts";
