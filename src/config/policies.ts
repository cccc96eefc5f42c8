import type { ApprovalPolicy, ApproverBand } from "../rules/approval-policy.ts";
import type { MatchPolicy, MatchSettingsPatch } from "../rules/match-policy.ts";
import type { RoutingPolicy } from "../rules/routing.ts";
import { money } from "../shared/money.ts";
import type { RoutingConfig, Tolerance } from "./routing-schema.ts";

/**
 * routing.yml speaks in aliases and flat keys that admins can write; the rules speak in channel
 * ids and typed settings. These adapters are the one place that translates.
 */
export function toRoutingPolicy(config: RoutingConfig): RoutingPolicy {
  const channel = (alias: string) => config.channels[alias] ?? alias;
  return {
    defaultChannel: channel(config.defaultChannel),
    opsChannel: channel(config.opsChannel),
    costCenters: Object.fromEntries(
      Object.entries(config.costCenters).map(([cc, def]) => [cc, channel(def.channel)]),
    ),
    costCenterDefaults: config.costCenterDefaults,
  };
}

function toSettings(t: Tolerance): MatchSettingsPatch {
  const absolute = t.priceAbsolute?.split(/\s+/);
  const patch: {
    -readonly [K in keyof MatchSettingsPatch]: MatchSettingsPatch[K];
  } = {};
  if (t.pricePercent !== undefined || absolute) {
    patch.price = {
      ...(t.pricePercent !== undefined ? { percent: t.pricePercent } : {}),
      ...(absolute ? { absolute: { [absolute[1] ?? "*"]: absolute[0] as string } } : {}),
    };
  }
  if (t.quantityPercent !== undefined) patch.quantityPercent = t.quantityPercent;
  if (t.duplicateDays !== undefined) patch.duplicateWindowDays = t.duplicateDays;
  if (t.matchMode !== undefined) patch.mode = t.matchMode;
  if (t.allowNonPo !== undefined) patch.allowNonPo = t.allowNonPo;
  if (t.invoicedQtyCountedAt !== undefined) patch.invoicedQtyCountedAt = t.invoicedQtyCountedAt;
  return patch;
}

export function toMatchPolicy(config: RoutingConfig): MatchPolicy {
  const { tolerances } = config;
  return {
    defaults: toSettings(tolerances.default),
    companies: Object.fromEntries(
      Object.entries(tolerances.companies).map(([c, t]) => [c, { settings: toSettings(t) }]),
    ),
    costCenters: Object.fromEntries(
      Object.entries(tolerances.costCenters).map(([cc, t]) => [cc, toSettings(t)]),
    ),
  };
}

export function toApprovalPolicy(config: RoutingConfig): ApprovalPolicy {
  return {
    costCenters: Object.fromEntries(
      Object.entries(config.costCenters).map(([cc, def]) => [
        cc,
        def.approvers.map((band): ApproverBand => {
          const [amount, currency] = band.upTo.split(/\s+/);
          return {
            upTo:
              band.upTo === "unlimited" ? "unlimited" : money(amount as string, currency as string),
            users: band.users,
            groups: band.groups,
          };
        }),
      ]),
    ),
  };
}
