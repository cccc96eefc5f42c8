/**
 * The sim's data, stored the way M3 stores it: property names are the lower-case M3 field codes
 * (without the table prefix), so `SUNO` in a transaction or `IDSUNO` in EXPORTMI is `suno` here.
 * Numeric keys are numbers; everything else is a string exactly as M3 would send it.
 */
export interface Division {
  cono: number;
  divi: string;
  /** Local currency. */
  locd: string;
  /** VAT percentage used for generated invoices. */
  vatPercent: number;
  conm: string;
}

export interface SupplierRec {
  cono: number;
  suno: string;
  sunm: string;
  suty: string;
  stat: string;
  alsu: string;
  cscd: string;
  lncd: string;
  phno: string;
  vrno: string;
  cucd: string;
  tepy: string;
  pyme: string;
  buye: string;
  rgdt: string;
  lmdt: string;
  chid: string;
}

export interface ReceiptRec {
  repn: string;
  pnlx: number;
  trdt: string;
  tihm: string;
  rpqa: string;
  whlo: string;
  rgdt: string;
  lmdt: string;
}

export interface PoLineRec {
  pnli: number;
  pnls: number;
  itno: string;
  itds: string;
  orqa: string;
  rvqa: string;
  ivqa: string;
  /** Price per PUCD units of PPUN, 2 decimals. */
  pupr: string;
  pucd: string;
  puun: string;
  ppun: string;
  pust: string;
  pusl: string;
  dwdt: string;
  rgdt: string;
  lmdt: string;
  receipts: ReceiptRec[];
}

export interface PoRec {
  cono: number;
  divi: string;
  puno: string;
  suno: string;
  pudt: string;
  dwdt: string;
  cucd: string;
  buye: string;
  faci: string;
  whlo: string;
  orty: string;
  pusl: string;
  pust: string;
  /** Cost center (AIT2) the sim books this PO's invoices to; not an MPHEAD field. */
  ait2: string;
  rgdt: string;
  lmdt: string;
  chid: string;
  lines: PoLineRec[];
}

export interface InvoiceLineRec {
  trno: number;
  /** Line type: 1 PO line, 8 cost-accounting line (sim choice). */
  rdtp: string;
  puno: string;
  pnli: number;
  pnls: number;
  itno: string;
  ivqa: string;
  puun: string;
  ppun: string;
  pucd: string;
  grpr: string;
  nlam: string;
  ait1: string;
  ait2: string;
  rgdt: string;
  lmdt: string;
}

export interface PaymentRec {
  acdt: string;
  jrno: number;
  vono: number;
  pyme: string;
  /** Payment amount as booked in the supplier ledger (negative of the invoice). */
  cuam: string;
  rgdt: string;
  lmdt: string;
}

export interface InvoiceRec {
  cono: number;
  divi: string;
  inbn: number;
  /** Invoice batch type (APS450): 10 self-billing, 20 supplier invoice, 25 recode, 30 debit note, 50 supplier claim. */
  ibtp: string;
  /**
   * Invoice batch status (APS450): 10 new, 15 validated with errors, 20 validated, 30 printed,
   * 40 not approved, 41-43 adjusted, 50 approved, 78 matching recoding failed, 79 matching
   * failed, 90 updated in APL.
   */
  supa: string;
  /** Rejection date (YYYYMMDD) and reason once the batch is rejected. */
  rejd: string;
  scre: string;
  bist: string;
  suno: string;
  spyn: string;
  sino: string;
  ivdt: string;
  dudt: string;
  acdt: string;
  cucd: string;
  cuam: string;
  vtam: string;
  puno: string;
  apcd: string;
  tepy: string;
  /** Cost center for derived cost lines and GL lines. */
  ait2: string;
  /** Cost account for derived cost lines. */
  ait1: string;
  /** Accounting key once posted (SUPA 90), 0 before. */
  yea4: number;
  jrno: number;
  vser: string;
  vono: number;
  rgdt: string;
  lmdt: string;
  chid: string;
  /** Explicit lines; when absent one cost line is derived from the header (memory). */
  lines?: InvoiceLineRec[];
  payment?: PaymentRec;
}

export interface GlLineRec {
  cono: number;
  divi: string;
  yea4: number;
  jrno: number;
  jsno: number;
  vser: string;
  vono: number;
  acdt: string;
  trcd: string;
  feid: string;
  fncn: string;
  ait: [string, string, string, string, string, string, string];
  /** Accounting year and period YYYYPP (GL period; not always the calendar month). */
  cyp6: string;
  acam: string;
  cuam: string;
  cucd: string;
  vtxt: string;
  rgdt: string;
  lmdt: string;
}

export interface AccountRec {
  cono: number;
  divi: string;
  aitp: number;
  aitm: string;
  tx40: string;
  tx15: string;
  /** "1" when the accounting identity is blocked (CRS630 LCCD). */
  lccd: string;
  rgdt: string;
  lmdt: string;
}

export interface ScenarioKeys {
  priceVariance: number[];
  qtyOverReceipt: number[];
  missingReceipt: number[];
  duplicateNumber: number[];
  creditNote: number[];
  otherCurrency: number[];
}

export interface TenantData {
  tenant: string;
  divisions: Division[];
  suppliers: SupplierRec[];
  pos: PoRec[];
  invoices: InvoiceRec[];
  /** Manual GL vouchers (lines); invoice and payment vouchers are derived. */
  manualGl: GlLineRec[];
  accounts: AccountRec[];
  /** Invoice batch numbers (INBN) of the built-in exception cases. */
  scenarios: ScenarioKeys;
  /** Next free numbers for records added later. */
  seq: { inbn: number; jrno: number; vono: number; repn: number; puno: number };
  /** Bumped on every change; caches of sorted rows key on it. */
  version: number;
}

export interface DataSize {
  suppliersPerCompany: number;
  purchaseOrders: number;
  invoices: number;
  manualVouchers: number;
}

export const DEFAULT_SIZE: DataSize = {
  suppliersPerCompany: 25,
  purchaseOrders: 60,
  invoices: 150,
  manualVouchers: 20,
};
