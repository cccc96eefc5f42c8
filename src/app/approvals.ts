import type { WebClient } from "@slack/web-api";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { RecheckFn } from "../approvals/decide.ts";
import { type ApprovalPolicy, createRoutingPolicy } from "../approvals/policy.ts";
import type { ApprovalStore } from "../approvals/store.ts";
import { runApprovalSweep } from "../approvals/sweep.ts";
import type { AuditFn } from "../approvals/types.ts";
import { createUserGroupResolver } from "../approvals/usergroups.ts";
import { toApprovalPolicy } from "../config/policies.ts";
import type { RoutingConfig } from "../config/routing-schema.ts";
import type { InforSource } from "../infor/source.ts";
import { createSlackApprovalNotifier } from "../slack/actions/approval-notifier.ts";
import type { Scope } from "./infor.ts";

export interface ApprovalSide {
  store: ApprovalStore;
  policy: ApprovalPolicy;
  recheck: RecheckFn;
  erpUserFor: (slackUserId: string) => Promise<string | undefined>;
}

export function createApprovalSide(o: {
  redis: Redis;
  prefix: string;
  /** The store delivery also reads decisions from (one object for both sides). */
  store: ApprovalStore;
  routing: RoutingConfig;
  client: WebClient;
  sourceFor: (scope: Scope) => InforSource;
  logger: Logger;
}): ApprovalSide {
  const store = o.store;
  const policy = createRoutingPolicy(
    toApprovalPolicy(o.routing),
    createUserGroupResolver({ client: o.client, redis: o.redis, prefix: o.prefix }),
  );
  const slackToErp = new Map<string, string>();
  for (const [erpUser, slackUser] of Object.entries(o.routing.erpUsers)) {
    slackToErp.set(slackUser, erpUser);
  }
  return {
    store,
    policy,
    recheck: invoiceRecheck(o.sourceFor, o.logger),
    erpUserFor: async (slackUserId) => slackToErp.get(slackUserId),
  };
}

/**
 * At click time, read the invoice again: one paid or cancelled meanwhile is not decided in Slack.
 * Records other than invoices (exception keys) and read failures count as unchanged: the click
 * then goes through, and the decision is stamped against the version the alert showed.
 */
export function invoiceRecheck(
  sourceFor: (scope: Scope) => InforSource,
  logger: Logger,
): RecheckFn {
  return async (approval) => {
    const parts = approval.recordKey.split(":");
    if (parts[0] !== "supplier_invoice" || parts.length < 5) return { changed: false };
    const [, tenant, company, division, ...rest] = parts as [string, string, string, string];
    const id = rest.join(":");
    const slash = id.indexOf("/");
    if (slash <= 0) return { changed: false };
    try {
      const found = await sourceFor({ tenant, company, division }).findInvoice(
        id.slice(0, slash),
        id.slice(slash + 1),
      );
      const status = found.records[0]?.status;
      if (status === "paid") return { changed: true, status: "paid" };
      if (status === "cancelled") return { changed: true, status: "cancelled" };
      return { changed: false };
    } catch (err) {
      logger.warn(
        { code: (err as { code?: string }).code },
        "approval recheck could not read the invoice",
      );
      return { changed: false };
    }
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
}): () => Promise<void> {
  const notify = createSlackApprovalNotifier({ client: o.client, logger: o.logger });
  const schedule = {
    remindAfterHours: o.routing.approvals.reminderHours,
    escalateAfterHours: o.routing.approvals.escalateHours,
    expireAfterHours: o.routing.approvals.expireHours,
  };
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = runApprovalSweep({ store: o.store, schedule, notify, audit: o.audit }).catch(
      (err: unknown) =>
        o.logger.warn({ code: (err as { code?: string }).code }, "approval sweep failed"),
    );
  }, o.everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
