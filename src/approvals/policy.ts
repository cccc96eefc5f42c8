import {
  canApprove,
  type ApprovalPolicy as RoutingApprovalPolicy,
} from "../rules/approval-policy.ts";
import type { ApprovalSubject } from "./types.ts";

/**
 * Who may decide an approval, as the Slack side asks it. `createRoutingPolicy` implements it on
 * top of `rules/approval-policy` (bands per cost center from routing.yml); tests may pass their own.
 */
export type PolicyDecision =
  /** `onBehalfOf`: allowed as the named approver's delegate (approvals/delegation.ts). */
  { allowed: true; onBehalfOf?: string } | { allowed: false; code: string; message: string };

export interface ApprovalPolicy {
  authorize(slackUserId: string, subject: ApprovalSubject): Promise<PolicyDecision>;
}

export interface UserGroupMembers {
  members(usergroupId: string): Promise<ReadonlySet<string>>;
}

/**
 * The routing file's bands, with Slack user groups resolved through the API (cached by the
 * resolver). Only the groups named in the relevant bands are looked up.
 */
export function createRoutingPolicy(
  policy: RoutingApprovalPolicy,
  groups: UserGroupMembers,
): ApprovalPolicy {
  return {
    async authorize(user, subject) {
      const bands = policy.costCenters[subject.costCenter] ?? policy.default ?? [];
      const named = [...new Set(bands.flatMap((b) => b.groups ?? []))];
      const mine: string[] = [];
      for (const g of named) if ((await groups.members(g)).has(user)) mine.push(g);
      const check = canApprove(
        user,
        mine,
        policy,
        subject.amount,
        subject.costCenter,
        subject.enteredBySlackId,
      );
      return check.allowed
        ? { allowed: true }
        : { allowed: false, code: check.code, message: check.message };
    },
  };
}
