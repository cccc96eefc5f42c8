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
}

export interface RouteTarget {
  readonly company: string;
  readonly division?: string;
  readonly costCenter?: string | undefined;
}

export function routeCostCenter(policy: RoutingPolicy, target: RouteTarget): Route {
  const company = policy.companies?.[target.company];
  const division = target.division ? company?.divisions?.[target.division] : undefined;
  const cc = target.costCenter || undefined;
  if (cc !== undefined) {
    const candidates: [RouteMatch, string | undefined][] = [
      ["division_cost_center", division?.costCenters?.[cc]],
      ["company_cost_center", company?.costCenters?.[cc]],
      ["cost_center", policy.costCenters[cc]],
    ];
    for (const [matchedBy, channel] of candidates) {
      if (channel) return { channel, costCenter: cc, matchedBy, fallback: false };
    }
  }
  const fallbackReason = cc === undefined ? "no_cost_center" : "unmapped_cost_center";
  const defaults: [RouteMatch, string | undefined][] = [
    ["division_default", division?.defaultChannel],
    ["company_default", company?.defaultChannel],
  ];
  const [matchedBy, channel] = defaults.find(([, c]) => c) ?? ["default", policy.defaultChannel];
  return {
    channel: channel ?? policy.defaultChannel,
    ...(cc !== undefined ? { costCenter: cc } : {}),
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

export function routeRecord(policy: RoutingPolicy, record: CanonicalRecord): Route {
  return routeCostCenter(policy, {
    company: record.company,
    division: record.division,
    costCenter: costCenterOf(record),
  });
}

export function routeException(policy: RoutingPolicy, exception: MatchException): Route {
  return routeCostCenter(policy, {
    company: exception.ref.company,
    division: exception.ref.division,
    costCenter: exception.costCenter,
  });
}
