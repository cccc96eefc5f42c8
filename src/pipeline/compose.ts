import type { Logger } from "pino";
import type { Alert } from "../alerts/alert.ts";
import { createPendingApproval } from "../approvals/create-pending.ts";
import { erpUserMapping } from "../approvals/routing-adapters.ts";
import type { ApprovalStore } from "../approvals/store.ts";
import { type ApprovalSubject, type AuditFn, isOpen } from "../approvals/types.ts";
import { toApprovalPolicy, toMatchPolicy, toRoutingPolicy } from "../config/policies.ts";
import type { RoutingConfig } from "../config/routing-schema.ts";
import { eligibleApprovers } from "../rules/approval-policy.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type { ChangeEvent } from "../sync/sink.ts";
import {
  createExceptionTracker,
  type ExceptionTracker,
  type TriggerContext,
} from "./exception-tracker.ts";
import { partitionOf } from "./partition.ts";
import type { MatchLookups } from "./types.ts";

export interface ExceptionPipelineOptions {
  readonly redis: RedisClient;
  /** The app's key prefix (e.g. "cs:"). */
  readonly prefix: string;
  /** Parsed routing.yml (config/routing-load.ts): channels, cost centers, tolerances, erpUsers. */
  readonly routing: RoutingConfig;
  readonly lookups: MatchLookups;
  /** From `approvalHooks(store)` below, or a test's own. Without it no buttons are offered. */
  readonly createPending?: (subject: ApprovalSubject) => Promise<{ id: string }>;
  readonly closeApproval?: (approvalId: string, reason: string) => Promise<void>;
  readonly isApprovalOpen?: (approvalId: string) => Promise<boolean>;
  readonly clock?: () => Date;
  readonly logger?: Logger;
}

export interface ExceptionPipeline {
  /** `createAlertSink({ …, extraAlerts })`: match exceptions for invoice and PO changes. */
  readonly extraAlerts: (event: ChangeEvent, context?: TriggerContext) => Promise<Alert[]>;
  /** `createAlertSink({ …, batchScope })`: a page's POs read in a few set-based reads. */
  readonly batchScope: ExceptionTracker["withBatch"];
  /** `createAlertSink({ …, partitionOf })`: which events of a page must stay in page order. */
  readonly partitionOf: (event: ChangeEvent) => string;
  /** `createAlertSink({ …, prefetch })`: a page's POs read while the page before is handled. */
  readonly prefetch: ExceptionTracker["prefetch"];
  /**
   * Safety-net sweep (schedule it, e.g. hourly): re-evaluates invoices with open exceptions
   * against fresh PO data and hands the alerts to `emit` (delivery's enqueue) before storing.
   */
  readonly recheckOpen: ExceptionTracker["recheckOpen"];
  /** `LookupService.openExceptions` for `/infor invoice`: causes of the open exceptions. */
  readonly openExceptions: (recordKey: string) => Promise<string[]>;
  /** `LookupService.poExceptions` for `/infor po`: each open exception of the PO's invoices. */
  readonly poExceptions: (po: {
    tenant: string;
    company: string;
    number: string;
  }) => Promise<string[]>;
  readonly tracker: ExceptionTracker;
}

/**
 * Everything the lead wires in `serve` for three-way match exceptions:
 *
 *   const pipeline = createExceptionPipeline({ redis, prefix, routing, lookups,
 *     ...approvalHooks({ store: approvals, audit }) });
 *   createAlertSink({ enqueue, audit, opsChannel, defaultChannel,
 *     extraAlerts: pipeline.extraAlerts });
 *
 * Invoice and purchase-order polls must both be scheduled: a receipt resolves a missing-receipt
 * exception through the PO's change event.
 */
export function createExceptionPipeline(o: ExceptionPipelineOptions): ExceptionPipeline {
  const approvalPolicy = toApprovalPolicy(o.routing);
  const tracker = createExceptionTracker({
    redis: o.redis,
    prefix: o.prefix,
    lookups: o.lookups,
    matchPolicy: toMatchPolicy(o.routing),
    routingPolicy: toRoutingPolicy(o.routing),
    slackUserFor: erpUserMapping(o.routing.erpUsers).slackUserFor,
    approversFor: (cc, amount) => {
      const who = eligibleApprovers(approvalPolicy, amount, cc);
      return { users: who.users, groups: who.groups };
    },
    mentionApprovers: o.routing.approvals.mentionApprovers,
    ...(o.createPending ? { createPending: o.createPending } : {}),
    ...(o.closeApproval ? { closeApproval: o.closeApproval } : {}),
    ...(o.isApprovalOpen ? { isApprovalOpen: o.isApprovalOpen } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
  });
  return {
    tracker,
    extraAlerts: (event, context) => tracker.onChange(event, context),
    batchScope: (events, run) => tracker.withBatch(events, run),
    partitionOf,
    prefetch: (records) => tracker.prefetch(records),
    recheckOpen: (emit, options) => tracker.recheckOpen(emit, options),
    async openExceptions(recordKey) {
      if (!recordKey.startsWith("supplier_invoice:")) return [];
      return (await tracker.openExceptions(recordKey)).map((e) => e.exception.cause);
    },
    async poExceptions(po) {
      const found = await tracker.openExceptionsForPo(po.tenant, po.company, po.number);
      return found.map(
        ({ invoice, entry }) =>
          `Invoice ${invoice.invoiceNumber} (${invoice.supplierName || invoice.supplierId}): ${entry.exception.cause}`,
      );
    },
  };
}

/**
 * Approval functions on the approvals store: a pending approval per exception alert,
 * `supersede` when the exception resolves by itself (nobody decided; the buttons are stale), and
 * whether an approval still takes a decision. A transition refused because someone already
 * decided is fine: the decision stands.
 */
export function approvalHooks(deps: { store: ApprovalStore; audit?: AuditFn }): {
  createPending: (subject: ApprovalSubject) => Promise<{ id: string }>;
  closeApproval: (approvalId: string, reason: string) => Promise<void>;
  isApprovalOpen: (approvalId: string) => Promise<boolean>;
} {
  return {
    async createPending(subject) {
      return createPendingApproval(deps, subject);
    },
    async closeApproval(approvalId, reason) {
      const result = await deps.store.transition(approvalId, "supersede", "system", reason);
      if (result.ok && deps.audit) {
        await deps.audit({
          type: "approval.superseded",
          approvalId,
          alertId: result.approval.alertId,
          recordKey: result.approval.recordKey,
          actor: "system",
          at: result.approval.decidedAt ?? new Date().toISOString(),
          state: result.approval.state,
          reason,
        });
      }
    },
    async isApprovalOpen(approvalId) {
      const approval = await deps.store.get(approvalId);
      return approval !== undefined && isOpen(approval.state);
    },
  };
}
