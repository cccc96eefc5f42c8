import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import { RecheckError, type RecheckFn } from "../approvals/decide.ts";
import { type ApprovalPolicy, createRoutingPolicy } from "../approvals/policy.ts";
import { erpUserMapping, scheduleFromRouting } from "../approvals/routing-adapters.ts";
import type { ApprovalStore } from "../approvals/store.ts";
import { runApprovalSweep } from "../approvals/sweep.ts";
import type { Approval, AuditFn } from "../approvals/types.ts";
import { createUserGroupResolver } from "../approvals/usergroups.ts";
import { toApprovalPolicy } from "../config/policies.ts";
import type { RoutingConfig } from "../config/routing-schema.ts";
import type { InforClient } from "../infor/create-client.ts";
import type { InforSource } from "../infor/source.ts";
import { eligibleApprovers } from "../rules/approval-policy.ts";
import { codeOf } from "../shared/error-code.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type { MessageRefresher, ThreadPoster } from "../slack/actions/approval-messages.ts";
import { createSlackApprovalNotifier } from "../slack/actions/approval-notifier.ts";
import { mentionText } from "../slack/blocks/alert.ts";
import type { ApproverCardsDeps } from "../slack/direct/approver-cards.ts";
import { imChannels } from "../slack/direct/im-channels.ts";
import { createErpApprovals, type ErpApprovals } from "./erp-approvals.ts";
import type { Scope } from "./infor.ts";

export interface ApprovalSide {
  store: ApprovalStore;
  policy: ApprovalPolicy;
  recheck: RecheckFn;
  erpUserFor: (slackUserId: string) => Promise<string | undefined>;
  /** Write-back to the ERP and its reflection poll (routing.yml `writeBack`, per tenant). */
  erp?: ErpApprovals["writer"];
  erpSide?: ErpApprovals;
}

export function createApprovalSide(o: {
  redis: RedisClient;
  prefix: string;
  /** The store delivery also reads decisions from (one object for both sides). */
  store: ApprovalStore;
  routing: RoutingConfig;
  client: WebClient;
  sourceFor: (scope: Scope) => InforSource;
  /** The tenants' ION clients: given, approvals reach M3 as routing.yml `writeBack` says. */
  clients?: Map<string, InforClient>;
  logger: Logger;
}): ApprovalSide {
  const store = o.store;
  const policy = createRoutingPolicy(
    toApprovalPolicy(o.routing),
    createUserGroupResolver({ client: o.client, redis: o.redis, prefix: o.prefix }),
  );
  // M3 stores user ids upper case; routing.yml may spell them either way.
  const { erpUserFor } = erpUserMapping(o.routing.erpUsers);
  const erpSide = o.clients
    ? createErpApprovals({
        redis: o.redis,
        prefix: o.prefix,
        routing: o.routing,
        clients: o.clients,
        erpUserFor,
        logger: o.logger,
      })
    : undefined;
  return {
    store,
    policy: erpSide ? erpSide.policy(policy) : policy,
    recheck: invoiceRecheck(o.sourceFor, o.logger),
    erpUserFor,
    ...(erpSide ? { erp: erpSide.writer, erpSide } : {}),
  };
}

/**
 * At click time, read the invoice again: one paid or cancelled meanwhile is not decided in Slack.
 * Whenever the ERP cannot say whether the invoice still stands (read failure, a row that does not
 * map, no such invoice, a record key that names no invoice) the click decides nothing: it throws
 * a RecheckError, decide() answers "recheck_failed" and the approver is told why. Treating any of
 * these as "unchanged" would approve a document nobody could check.
 */
export function invoiceRecheck(
  sourceFor: (scope: Scope) => InforSource,
  logger: Logger,
): RecheckFn {
  return async (approval) => {
    const invoice = invoiceOf(approval.recordKey);
    if (!invoice) {
      throw new RecheckError("erp_not_an_invoice", "the approval does not name an Infor invoice");
    }
    let found: Awaited<ReturnType<InforSource["findInvoice"]>>;
    try {
      const source = sourceFor(invoice.scope);
      if ("batchNumber" in invoice) {
        if (!source.getInvoiceBatch) {
          throw new RecheckError(
            "erp_not_an_invoice",
            "the approval does not name an Infor invoice",
          );
        }
        found = await source.getInvoiceBatch(invoice.batchNumber);
      } else {
        found = await source.findInvoice(invoice.supplierId, invoice.number);
      }
    } catch (err) {
      if (err instanceof RecheckError) throw err;
      const code = codeOf(err);
      logger.warn({ code }, "approval recheck could not read the invoice");
      throw new RecheckError("erp_unreadable", `Infor could not be read${code ? `: ${code}` : ""}`);
    }
    const record = found.records[0];
    if (!record) {
      throw found.rejects.length > 0
        ? new RecheckError(
            "erp_unreadable",
            "Infor returned the invoice in a form I could not read",
          )
        : new RecheckError("erp_not_found", "Infor did not return this invoice");
    }
    if (record.status === "paid") return { changed: true, status: "paid" };
    if (record.status === "cancelled") return { changed: true, status: "cancelled" };
    return { changed: false };
  };
}

/**
 * `supplier_invoice:<tenant>:<company>:<division>:<id>` → how to read the invoice again: an M3
 * batch number (the id is the INBN, see `invoiceId`) or supplier/number (findInvoice).
 */
export function invoiceOf(
  recordKey: string,
):
  | { scope: Scope; supplierId: string; number: string }
  | { scope: Scope; batchNumber: string }
  | undefined {
  const parts = recordKey.split(":");
  if (parts[0] !== "supplier_invoice" || parts.length < 5) return undefined;
  const [, tenant, company, division, ...rest] = parts as [string, string, string, string];
  const id = rest.join(":");
  if (/^\d{1,10}$/.test(id)) return { scope: { tenant, company, division }, batchNumber: id };
  const slash = id.indexOf("/");
  if (slash <= 0 || slash === id.length - 1) return undefined;
  return {
    scope: { tenant, company, division },
    supplierId: id.slice(0, slash),
    number: id.slice(slash + 1),
  };
}

/** Scheduler role: reminders, escalation and expiry every `everyMs`; returns a stop function. */
export function startApprovalSweeps(o: {
  store: ApprovalStore;
  routing: RoutingConfig;
  client: WebClient;
  audit: AuditFn;
  logger: Logger;
  everyMs: number;
  /** Reminders and escalations through delivery's queue (paced, exactly once). */
  threadPoster?: ThreadPoster;
  /** Escalation and expiry stamps re-rendered through delivery's edit line too. */
  messageRefresher?: MessageRefresher;
}): () => Promise<void> {
  const policy = toApprovalPolicy(o.routing);
  const notify = createSlackApprovalNotifier({
    client: o.client,
    logger: o.logger,
    // Reminders go to whoever may decide, never to whoever entered the document.
    ...(o.routing.approvals.mentionApprovers
      ? {
          remindTo: (a: Approval) => {
            const who = eligibleApprovers(policy, a.amount, a.costCenter);
            return mentionText({
              users: who.users.filter((u) => u !== a.enteredBySlackId),
              groups: who.groups,
            });
          },
        }
      : {}),
    ...(o.threadPoster ? { threadPoster: o.threadPoster } : {}),
    ...(o.messageRefresher ? { messageRefresher: o.messageRefresher } : {}),
  });
  const schedule = scheduleFromRouting(o.routing.approvals);
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = runApprovalSweep({ store: o.store, schedule, notify, audit: o.audit }).catch(
      (err: unknown) => o.logger.warn({ code: codeOf(err) }, "approval sweep failed"),
    );
  }, o.everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** The approvers' direct-message cards as routing.yml sets them (approvals.dmApprovers, dmLimit). */
export function approverCardsFromRouting(o: {
  routing: RoutingConfig;
  store: ApprovalStore;
  client: WebClient;
  redis: RedisClient;
  prefix: string;
}): ApproverCardsDeps {
  const policy = toApprovalPolicy(o.routing);
  const groups = createUserGroupResolver({ client: o.client, redis: o.redis, prefix: o.prefix });
  return {
    store: o.store,
    eligible: (a) => eligibleApprovers(policy, a.amount, a.costCenter),
    groupMembers: (g) => groups.members(g),
    openIm: imChannels({ client: o.client, redis: o.redis, prefix: o.prefix }),
    limit: o.routing.approvals.dmLimit,
  };
}
