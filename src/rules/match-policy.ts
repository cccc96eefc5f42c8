/**
 * Matching settings per company and cost center.
 *
 * Tolerance rule (price): an invoice line is an exception when its unfavourable price variance
 * exceeds EITHER the percentage limit OR the absolute limit, i.e. the tighter of the two wins.
 * That is how AP systems read a pair of limits: SAP's tolerance keys (PP, OMR6) block the invoice
 * "if one of the upper limits is exceeded" (help.sap.com, Invoice Verification: Tolerances), and
 * the usual AP policy wording is "5 % or 50.00, whichever is lower". A limit left out is not
 * checked; with both left out the tolerance is zero (any unfavourable variance is an exception).
 * Equal to the limit is within tolerance; only strictly above is an exception.
 *
 * The absolute limit applies to the line's variance amount (price difference × quantity
 * invoiced, in the invoice currency) and is configured per currency: a limit in EUR says nothing
 * about a USD invoice, so a USD line is then checked against the percentage only.
 */
export interface PriceTolerance {
  /** Percent of the PO unit price, decimal string ("2", "2.5"). */
  readonly percent?: string;
  /**
   * Absolute variance amount per line, by currency: { EUR: "50.00" }. The key "*" applies the
   * number to any currency without its own entry (routing.yml's single `priceAbsolute`, "in the
   * invoice currency").
   */
  readonly absolute?: Readonly<Record<string, string>>;
}

export type MatchMode = "three_way" | "two_way";

/**
 * When the ERP adds a matched invoice to the PO line's invoiced quantity (M3 IVQA): once the
 * invoice is posted ("posting"), or as soon as it is registered ("entry"). Nothing public
 * settles which M3 tenants do, so it is a per-company setting. "posting" is the cautious default:
 * it may flag an invoice for review on an "entry" tenant, but never lets an over-invoiced line
 * through on a "posting" one.
 */
export type InvoicedQtyCountedAt = "posting" | "entry";

export interface MatchSettings {
  readonly price: PriceTolerance;
  /**
   * Quantity invoiced above received (three-way) or ordered (two-way) that is still accepted, in
   * percent of that quantity, decimal string. Absent = none. Strictly above is an exception.
   */
  readonly quantityPercent?: string;
  /** three_way: invoice vs PO vs receipts. two_way: invoice vs PO only (no receipt checks). */
  readonly mode: MatchMode;
  /** Invoices without a PO reference are accepted without an exception (non-PO spend). */
  readonly allowNonPo: boolean;
  /** Same supplier, same amount, invoice dates at most this many days apart → possible duplicate. */
  readonly duplicateWindowDays: number;
  readonly invoicedQtyCountedAt: InvoicedQtyCountedAt;
}

export type MatchSettingsPatch = Partial<MatchSettings>;

export interface CompanyMatchPolicy {
  readonly settings?: MatchSettingsPatch;
  readonly costCenters?: Readonly<Record<string, MatchSettingsPatch>>;
}

/**
 * Precedence, most specific last: built-in defaults < `defaults` < company < cost center (any
 * company) < cost center within the company. Each setting is replaced on its own, and so are the
 * two price limits: a cost center that sets only `price.percent` keeps the company's absolute
 * limit (routing.yml's flat `pricePercent` / `priceAbsolute` keys read the same way).
 */
export interface MatchPolicy {
  readonly defaults?: MatchSettingsPatch;
  readonly companies?: Readonly<Record<string, CompanyMatchPolicy>>;
  readonly costCenters?: Readonly<Record<string, MatchSettingsPatch>>;
}

export const BUILTIN_MATCH_SETTINGS: MatchSettings = {
  price: {},
  mode: "three_way",
  allowNonPo: false,
  duplicateWindowDays: 7,
  invoicedQtyCountedAt: "posting",
};

export function resolveMatchSettings(
  policy: MatchPolicy,
  company: string,
  costCenter: string | undefined,
): MatchSettings {
  const companyPolicy = policy.companies?.[company];
  const layers: (MatchSettingsPatch | undefined)[] = [
    policy.defaults,
    companyPolicy?.settings,
    costCenter === undefined ? undefined : policy.costCenters?.[costCenter],
    costCenter === undefined ? undefined : companyPolicy?.costCenters?.[costCenter],
  ];
  let settings = BUILTIN_MATCH_SETTINGS;
  for (const layer of layers) {
    if (!layer) continue;
    const price: PriceTolerance = { ...settings.price, ...definedOnly(layer.price ?? {}) };
    settings = { ...settings, ...definedOnly(layer), price };
  }
  return settings;
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
