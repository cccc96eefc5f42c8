import { parseInvoiceKey } from "./erp-m3.ts";
import type { ApprovalPolicy } from "./policy.ts";
import type { ApprovalSubject } from "./types.ts";

/** One row of an approver's pending list in M3 (CMS740MI LstPerUser). */
export interface PendingItem {
  supplier: string;
  invoiceNumber: string;
  inbn: string;
}

export interface ErpEligibilityOptions {
  /** The routing file's bands: used for tenants without M3's approval flow. */
  fallback: ApprovalPolicy;
  usesFlow: (tenant: string) => boolean;
  erpUserFor: (slackUserId: string) => Promise<string | undefined>;
  pendingFor: (
    tenant: string,
    erpUser: string,
    scope: { company: string; division: string },
  ) => Promise<PendingItem[]>;
}

/**
 * Who may approve: for a tenant that runs M3's approval flow, M3 decides (the invoice must be on
 * the approver's pending list); everyone else goes by routing.yml's bands. A list that cannot be
 * read refuses: "cannot check" never means "allowed".
 */
export function createErpEligibilityPolicy(o: ErpEligibilityOptions): ApprovalPolicy {
  return {
    async authorize(user, subject: ApprovalSubject) {
      if (!o.usesFlow(subject.tenant)) return o.fallback.authorize(user, subject);
      const key = parseInvoiceKey(subject.recordKey);
      if (!key) return o.fallback.authorize(user, subject);
      const erpUser = await o.erpUserFor(user);
      if (!erpUser) {
        return {
          allowed: false,
          code: "erp_user_unmapped",
          message:
            "M3 decides who approves this invoice, and your Slack user is not mapped to an M3 user (erpUsers in routing.yml).",
        };
      }
      let list: PendingItem[];
      try {
        list = await o.pendingFor(subject.tenant, erpUser, key);
      } catch {
        return {
          allowed: false,
          code: "erp_list_unreadable",
          message:
            "I couldn't read your pending list in M3 just now, so I can't tell whether you may approve this.",
        };
      }
      const mine = list.some((p) =>
        key.inbn
          ? p.inbn === key.inbn
          : p.supplier === key.supplier && p.invoiceNumber === key.number,
      );
      return mine
        ? { allowed: true }
        : {
            allowed: false,
            code: "erp_not_on_list",
            message: `M3 does not list this invoice for you (${erpUser}) to approve.`,
          };
    },
  };
}
