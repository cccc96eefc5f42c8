import type { CanonicalRecord } from "../infor/records.ts";
import type { MatchException } from "./exception.ts";

/**
 * Where an alert goes: record → cost center → channel. The config helper adapts `routing.yml`
 * (costCenters.<id>.channel, defaultChannel, opsChannel) to this shape; channels are Slack
 * channel ids. Pure: no Slack lookups here.
 */
export interface RoutingScope {
  /** Channel for this scope's records whose cost center has no channel of its own. */
  readonly defaultChannel?: string;
  /** Cost center id → channel id. */
  readonly costCenters?: Readonly<Record<string, string>>;
}

export interface CompanyRouting extends RoutingScope {
  readonly divisions?: Readonly<Record<string, RoutingScope>>;
}

export interface RoutingPolicy {
  readonly defaultChannel: string;
  /** Operations channel: quarantined records, dead letters, config problems. */
  readonly opsChannel: string;
  readonly costCenters: Readonly<Record<string, string>>;
  /** Overrides by ERP company, then by division inside it: the most specific scope wins. */
  readonly companies?: Readonly<Record<string, CompanyRouting>>;
  /**
   * The cost center of a record the ERP gives none for, by supplier, then by the PO's buyer:
   * the last step of the fallback order (ERP coding first; see `routeCostCenter`).
   */
  readonly costCenterDefaults?: {
    readonly suppliers?: Readonly<Record<string, string>>;
    readonly buyers?: Readonly<Record<string, string>>;
  };
}

export type RouteMatch =
  | "division_cost_center"
  | "company_cost_center"
  | "cost_center"
  | "division_default"
  | "company_default"
  | "default";

export interface Route {
  readonly channel: string;
  readonly costCenter?: string;
  readonly matchedBy: RouteMatch;
  /**
   * True when no cost center mapping applied and a default channel was used: `/infor status`
   * counts these as unrouted so an admin can add the missing cost center.
   */
  readonly fallback: boolean;
  /** Why it fell back: the record had no cost center, or its cost center has no channel. */
  readonly fallbackReason?: "no_cost_center" | "unmapped_cost_center";
  /** The ERP gave no cost center and routing's default for the supplier or buyer supplied it. */
  readonly costCenterFrom?: "supplier_default" | "buyer_default";
  /** One line for people when routing fell back (shown under the alert), else absent. */
  readonly note?: string;
}

export interface RouteTarget {
  readonly company: string;
  readonly division?: string;
  readonly costCenter?: string | undefined;
  readonly supplierId?: string | undefined;
  readonly buyer?: string | undefined;
}

/**
 * Fallback order for the cost center: the ERP's coding (the caller's `costCenter`: PO line,
 * invoice line or header, posted GL lines), then routing.yml's default for the supplier, then
 * for the buyer; then the channel defaults. Every step after the ERP's own says so in `note`.
 */
export function routeCostCenter(policy: RoutingPolicy, target: RouteTarget): Route {
  const company = policy.companies?.[target.company];
  const division = target.division ? company?.divisions?.[target.division] : undefined;
  const given = target.costCenter || undefined;
  const defaults = policy.costCenterDefaults;
  const bySupplier = target.supplierId ? defaults?.suppliers?.[target.supplierId] : undefined;
  const byBuyer = target.buyer ? defaults?.buyers?.[target.buyer] : undefined;
  const cc = given ?? bySupplier ?? byBuyer;
  const costCenterFrom =
    given !== undefined
      ? undefined
      : bySupplier !== undefined
        ? ("supplier_default" as const)
        : byBuyer !== undefined
          ? ("buyer_default" as const)
          : undefined;
  const defaultNote =
    costCenterFrom === "supplier_default"
      ? `No cost center in the ERP: cost center ${cc} is routing.yml's default for supplier ${target.supplierId}`
      : costCenterFrom === "buyer_default"
        ? `No cost center in the ERP: cost center ${cc} is routing.yml's default for buyer ${target.buyer}`
        : undefined;
  if (cc !== undefined) {
    const candidates: [RouteMatch, string | undefined][] = [
      ["division_cost_center", division?.costCenters?.[cc]],
      ["company_cost_center", company?.costCenters?.[cc]],
      ["cost_center", policy.costCenters[cc]],
    ];
    for (const [matchedBy, channel] of candidates) {
      if (channel)
        return {
          channel,
          costCenter: cc,
          matchedBy,
          fallback: false,
          ...(costCenterFrom ? { costCenterFrom } : {}),
          ...(defaultNote ? { note: defaultNote } : {}),
        };
    }
  }
  const fallbackReason = cc === undefined ? "no_cost_center" : "unmapped_cost_center";
  const channelDefaults: [RouteMatch, string | undefined][] = [
    ["division_default", division?.defaultChannel],
    ["company_default", company?.defaultChannel],
  ];
  const [matchedBy, channel] = channelDefaults.find(([, c]) => c) ?? [
    "default",
    policy.defaultChannel,
  ];
  const note =
    cc === undefined
      ? `No cost center in the ERP${target.supplierId ? ` and no routing default for supplier ${target.supplierId}` : ""}: sent to the default channel`
      : `Cost center ${cc}${defaultNote ? ` (routing.yml's default for ${costCenterFrom === "supplier_default" ? `supplier ${target.supplierId}` : `buyer ${target.buyer}`})` : ""} has no channel in routing.yml: sent to the default channel`;
  return {
    channel: channel ?? policy.defaultChannel,
    ...(cc !== undefined ? { costCenter: cc } : {}),
    ...(costCenterFrom ? { costCenterFrom } : {}),
    note,
    matchedBy,
    fallback: true,
    fallbackReason,
  };
}

function single(values: readonly (string | undefined)[]): string | undefined {
  const distinct = new Set(values.filter((v): v is string => !!v));
  return distinct.size === 1 ? [...distinct][0] : undefined;
}

/**
 * The cost center a whole record belongs to: the header's coding, else the one cost center all
 * its lines share. Lines split over several cost centers (and suppliers, accounts) have none and
 * go to the default channel; exceptions carry their own, per line, through `routeException`.
 */
export function costCenterOf(record: CanonicalRecord): string | undefined {
  switch (record.entity) {
    case "supplier_invoice":
    case "purchase_order":
      return record.costCenter || single(record.lines.map((l) => l.costCenter));
    case "payment":
      return record.costCenter || undefined;
    case "gl_voucher":
      return single(record.lines.map((l) => l.costCenter));
    case "supplier":
    case "account":
      return undefined;
  }
}

function supplierOf(record: CanonicalRecord): string | undefined {
  return record.entity === "supplier_invoice" ||
    record.entity === "purchase_order" ||
    record.entity === "payment"
    ? record.supplierId
    : undefined;
}

export function routeRecord(policy: RoutingPolicy, record: CanonicalRecord): Route {
  // Master data has no cost center to miss: no note for a supplier or account change.
  if (record.entity === "supplier" || record.entity === "account") {
    const { note: _note, ...route } = routeCostCenter(policy, {
      company: record.company,
      division: record.division,
    });
    return route;
  }
  return routeCostCenter(policy, {
    company: record.company,
    division: record.division,
    costCenter: costCenterOf(record),
    supplierId: supplierOf(record),
    buyer: record.entity === "purchase_order" ? record.buyer || undefined : undefined,
  });
}

export function routeException(policy: RoutingPolicy, exception: MatchException): Route {
  return routeCostCenter(policy, {
    company: exception.ref.company,
    division: exception.ref.division,
    costCenter: exception.costCenter,
    supplierId: exception.ref.supplierId,
  });
}
