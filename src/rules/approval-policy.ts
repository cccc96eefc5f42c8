import { abs, cmp, dec } from "../shared/decimal.ts";
import { formatMoney, type Money, money } from "../shared/money.ts";

/**
 * Who may approve what: approver bands per cost center, as in routing.yml
 * (`costCenters.<id>.approvers: [{ upTo: "5000 EUR", users, groups }]`).
 *
 * - A band covers an amount when the amount is at most its limit (inclusive), compared exactly,
 *   in the same currency. A band limited in EUR does not cover a USD amount: there are no
 *   exchange rates here. A band covers other currencies only when it lists a limit for each.
 * - Delegation of authority: an approver with a higher limit may also approve smaller amounts,
 *   so every band whose limit is at or above the amount is eligible.
 * - Credit notes are judged by their absolute amount.
 * - Segregation of duties: whoever entered the document never approves it, whatever their band.
 * - A cost center with bands of its own uses only those; others use `default`.
 */
export interface ApproverBand {
  /** Inclusive limit(s); "unlimited" covers any amount in any currency. */
  readonly upTo: Money | readonly Money[] | "unlimited";
  /** Slack user ids (U…/W…). */
  readonly users?: readonly string[];
  /** Slack user-group ids (S…). */
  readonly groups?: readonly string[];
}

export interface ApprovalPolicy {
  readonly costCenters: Readonly<Record<string, readonly ApproverBand[]>>;
  readonly default?: readonly ApproverBand[];
}

export interface EligibleApprovers {
  readonly users: string[];
  readonly groups: string[];
  readonly bands: ApproverBand[];
  /** Where the bands came from; "none" means nobody can approve (an ops problem). */
  readonly source: "cost_center" | "default" | "none";
}

function bandsFor(
  policy: ApprovalPolicy,
  costCenter: string | undefined,
): { bands: readonly ApproverBand[]; source: EligibleApprovers["source"] } {
  const own = costCenter === undefined ? undefined : policy.costCenters[costCenter];
  if (own && own.length > 0) return { bands: own, source: "cost_center" };
  if (policy.default && policy.default.length > 0) {
    return { bands: policy.default, source: "default" };
  }
  return { bands: [], source: "none" };
}

function limitsOf(band: ApproverBand): readonly Money[] | "unlimited" {
  if (band.upTo === "unlimited") return "unlimited";
  return "amount" in band.upTo ? [band.upTo] : band.upTo;
}

export function bandCovers(band: ApproverBand, amount: Money): boolean {
  const limits = limitsOf(band);
  if (limits === "unlimited") return true;
  const limit = limits.find((l) => l.currency === amount.currency);
  return limit !== undefined && cmp(abs(dec(amount.amount)), dec(limit.amount)) <= 0;
}

function bandHasCurrency(band: ApproverBand, currency: string): boolean {
  const limits = limitsOf(band);
  return limits === "unlimited" || limits.some((l) => l.currency === currency);
}

export function eligibleApprovers(
  policy: ApprovalPolicy,
  amount: Money,
  costCenter: string | undefined,
): EligibleApprovers {
  const { bands, source } = bandsFor(policy, costCenter);
  const covering = bands.filter((b) => bandCovers(b, amount));
  return {
    users: [...new Set(covering.flatMap((b) => b.users ?? []))],
    groups: [...new Set(covering.flatMap((b) => b.groups ?? []))],
    bands: covering,
    source: covering.length > 0 ? source : "none",
  };
}

export type ApprovalCheck =
  | {
      readonly allowed: true;
      readonly via: { readonly kind: "user" | "group"; readonly id: string };
    }
  | {
      readonly allowed: false;
      readonly code:
        | "segregation_of_duties"
        | "not_an_approver"
        | "amount_over_limit"
        | "currency_not_covered";
      readonly message: string;
    };

function memberOf(band: ApproverBand, userId: string, userGroups: ReadonlySet<string>) {
  if (band.users?.includes(userId)) return { kind: "user" as const, id: userId };
  const group = band.groups?.find((g) => userGroups.has(g));
  return group === undefined ? undefined : { kind: "group" as const, id: group };
}

/**
 * @param userGroups the user-group ids the user belongs to (the caller resolves them from Slack).
 * @param enteredBySlackUser Slack id of whoever entered the document (ERP user mapped through
 *   routing.yml `erpUsers`), when known.
 */
export function canApprove(
  userId: string,
  userGroups: Iterable<string>,
  policy: ApprovalPolicy,
  amount: Money,
  costCenter: string | undefined,
  enteredBySlackUser?: string,
): ApprovalCheck {
  if (enteredBySlackUser !== undefined && enteredBySlackUser === userId) {
    return {
      allowed: false,
      code: "segregation_of_duties",
      message: "You entered this document, so someone else has to approve it.",
    };
  }
  const groups = new Set(userGroups);
  const { bands } = bandsFor(policy, costCenter);
  const mine = bands.filter((b) => memberOf(b, userId, groups) !== undefined);
  const where =
    costCenter === undefined ? "invoices without a cost center" : `cost center ${costCenter}`;
  if (mine.length === 0) {
    return {
      allowed: false,
      code: "not_an_approver",
      message: `You are not an approver for ${where}.`,
    };
  }
  for (const band of mine) {
    const via = memberOf(band, userId, groups);
    if (via && bandCovers(band, amount)) return { allowed: true, via };
  }
  if (!mine.some((b) => bandHasCurrency(b, amount.currency))) {
    return {
      allowed: false,
      code: "currency_not_covered",
      message: `Your approval limit for ${where} does not cover amounts in ${amount.currency}.`,
    };
  }
  return {
    allowed: false,
    code: "amount_over_limit",
    message: `${formatMoney(money(abs(dec(amount.amount)), amount.currency))} is above your approval limit for ${where}.`,
  };
}
