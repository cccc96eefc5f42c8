import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import { createEditLane } from "../approvals/edit-lane.ts";
import { startReflectDueConsumer } from "../approvals/erp-due-consumer.ts";
import { createErpEligibilityPolicy } from "../approvals/erp-eligibility.ts";
import { createM3Adapter } from "../approvals/erp-m3.ts";
import {
  type ReflectDeps,
  type ReflectedLine,
  reflectErpDecisions,
  reflectRecords,
} from "../approvals/erp-reflect.ts";
import type { ErpAdapter, ErpMode } from "../approvals/erp-types.ts";
import { createErpWriter, type ErpWriter } from "../approvals/erp-write-back.ts";
import type { ApprovalPolicy } from "../approvals/policy.ts";
import type { Approval } from "../approvals/types.ts";
import type { RoutingConfig } from "../config/routing-schema.ts";
import type { InforClient } from "../infor/create-client.ts";
import { M3ApprovalCalls } from "../infor/m3/approval-calls.ts";
import { MiClient } from "../infor/m3/mi-client.ts";
import { codeOf } from "../shared/error-code.ts";
import { duplicateClient, type RedisClient } from "../shared/redis-client.ts";
import {
  directThreadPoster,
  type MessageRefresher,
  type ThreadPoster,
  updateApprovalMessage,
} from "../slack/actions/approval-messages.ts";
import { supersededLine } from "../slack/views/approval-view.ts";
import { esc } from "../slack/views/format.ts";

/**
 * Wiring of the ERP side of approvals: per tenant mode (routing.yml `writeBack`), the M3 adapter on
 * the tenant's shared ION client, M3's pending list as the approver check for flow tenants, and
 * the poll that reflects decisions taken in M3. SyteLine tenants get no adapter (docs/erp-approvals.md).
 */
export interface ErpApprovals {
  writer: ErpWriter;
  modeFor: (tenant: string) => ErpMode;
  adapterFor: (tenant: string) => ErpAdapter | undefined;
  policy: (fallback: ApprovalPolicy) => ApprovalPolicy;
  /** Decided batches of a division changed since a day (EXPORTMI FAPIBH), for the reflection. */
  changedSince: NonNullable<ReflectDeps["changedSince"]>;
}

export function createErpApprovals(o: {
  redis: RedisClient;
  prefix: string;
  routing: RoutingConfig;
  clients: Map<string, InforClient>;
  erpUserFor: (slackUserId: string) => Promise<string | undefined>;
  logger: Logger;
}): ErpApprovals {
  const tenantOf = (id: string) => o.routing.tenants.find((t) => t.id === id);
  const modeFor = (id: string): ErpMode => tenantOf(id)?.writeBack.mode ?? "off";
  const usesFlow = (id: string) => tenantOf(id)?.writeBack.approvalFlow === "cms";
  const callsFor = (tenant: string, company: string, division: string) => {
    const client = o.clients.get(tenant);
    const t = tenantOf(tenant);
    if (!client || !t || t.erp !== "m3") return undefined;
    return new M3ApprovalCalls(
      new MiClient({ http: client.http, company, division }),
      t.writeBack.m3.flowFields,
    );
  };
  const adapters = new Map<string, ErpAdapter>();
  const adapterFor = (tenant: string): ErpAdapter | undefined => {
    const t = tenantOf(tenant);
    if (t?.erp !== "m3" || !o.clients.has(tenant)) return undefined;
    let hit = adapters.get(tenant);
    if (!hit) {
      const client = o.clients.get(tenant);
      if (!client) return undefined;
      // One MiClient per call scope is cheap: it only carries cono/divi over the shared HTTP client.
      hit = {
        routeFor: (approval) => {
          const [, , company = "", division = ""] = approval.recordKey.split(":");
          const calls = callsFor(tenant, company, division);
          if (!calls) return Promise.resolve({ ok: false, reason: "no M3 client for this tenant" });
          return createM3Adapter({
            calls,
            usesFlow: usesFlow(tenant),
            rejectReasonCode: t.writeBack.m3.rejectReasonCode,
            findBatch: async (ref) => {
              const mi = new MiClient({
                http: client.http,
                company: ref.company,
                division: ref.division,
              });
              const res = await mi.execute(
                "APS450MI",
                "LstInvBySupInv",
                { SPYN: ref.supplier, SUNO: ref.supplier, SINO: ref.number, DIVI: ref.division },
                { maxrecs: 0 },
              );
              // Two batches with one supplier invoice number are a duplicate: never guess which.
              const batches = res.records.map((r) => (r.INBN ?? "").trim()).filter(Boolean);
              return batches.length === 1 ? batches[0] : undefined;
            },
          }).routeFor(approval);
        },
      };
      adapters.set(tenant, hit);
    }
    return hit;
  };
  const writer = createErpWriter({
    redis: o.redis,
    prefix: o.prefix,
    modeFor,
    adapterFor,
    logger: o.logger,
  });
  return {
    writer,
    modeFor,
    adapterFor,
    changedSince: async (tenant, scope, since) => {
      // A decision in the approval flow need not touch FAPIBH: flow tenants are read in full.
      if (usesFlow(tenant)) return undefined;
      const calls = callsFor(tenant, scope.company, scope.division);
      if (!calls) return undefined;
      return decidedOnly(await calls.changedBatches(scope, since));
    },
    policy: (fallback) =>
      createErpEligibilityPolicy({
        fallback,
        usesFlow,
        erpUserFor: o.erpUserFor,
        pendingFor: async (tenant, erpUser, scope) => {
          const calls = callsFor(tenant, scope.company, scope.division);
          if (!calls) throw new Error(`no M3 client for tenant ${tenant}`);
          return calls.pendingFor(erpUser, scope);
        },
      }),
  };
}

/**
 * SUPA 40 (not approved), 50 (approved), 90 (updated in APL): the statuses a decision leaves;
 * batch number → the user who changed it last.
 */
export function decidedOnly(
  changed: Map<string, { supa: string; changedBy: string }>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [inbn, c] of changed)
    if (["40", "50", "90"].includes(c.supa)) out.set(inbn, c.changedBy);
  return out;
}

/**
 * The Slack edit for a decision reflected from M3; its thread notice goes through `threadPoster`
 * (delivery's queue: paced, once per decision) when given.
 */
export function reflectedMessage(
  client: WebClient,
  logger: Logger,
  threadPoster?: ThreadPoster,
  refresh?: MessageRefresher,
) {
  const post = threadPoster ?? directThreadPoster(client, logger);
  return async (a: Approval, line: ReflectedLine): Promise<void> => {
    if (!a.channel || !a.ts) return;
    const ref = { channel: a.channel, ts: a.ts };
    const text =
      line.kind === "decided_in_erp"
        ? supersededLine(line.state, line.detail)
        : `:white_check_mark: ${line.state === "approved" ? "Approved" : "Rejected"} by <@${line.by}> (confirmed by M3)`;
    // Nobody clicked: the refresh alone renders it (one chat.update, no history read).
    await updateApprovalMessage(client, logger, ref, a, text, "final", [], {
      refresh,
      deferred: true,
    });
    await post({
      approval: a,
      ref,
      text: `${text} · ${esc(a.title)}`,
      key: `erp:${line.kind}:${line.state}`,
    }).catch((err: unknown) =>
      logger.warn({ code: codeOf(err) }, "ERP decision notice not queued"),
    );
  };
}

/**
 * Records checked at once: an M3 read (paced by the ION client's budget, shared with the
 * pollers) and a transition each, ~0.1 s; 8 served ~66 a second, under the peaks of a burst of
 * decisions taken in M3 (the approvals chaos: records waited 0.9 s p50 for a slot).
 */
export const REFLECT_SLOTS = 16;
/**
 * Message edits of the reflection at once. An edit is delivery's render, one chat.update paced
 * in the shared Redis budget and a check that needs no refresh: ~0.1-0.2 s spent waiting on
 * Slack and Redis, next to no CPU. The lane bounds the calls in flight, not their rate (the
 * budget does that), so it is sized for a burst of decisions taken in M3: with 8, a burst of
 * 40-65 a second (the approvals chaos) waited for the lane, p95 5.2 s against a 2 s poll.
 */
export const REFLECT_EDIT_LANE = 32;

/** Poll M3 every `everyMs` for the open approvals of tenants whose write-back is not off. */
export function startErpReflection(
  o: Omit<ReflectDeps, "onChanged"> & {
    client: WebClient;
    logger: Logger;
    everyMs: number;
    threadPoster?: ThreadPoster;
    /** The reflected stamp re-rendered through delivery's edit line too. */
    messageRefresher?: MessageRefresher;
    /** Where sync marks changed invoices (src/approvals/erp-due.ts); without it, polls only. */
    redis?: RedisClient;
    prefix?: string;
  },
): () => Promise<void> {
  const onChanged = reflectedMessage(o.client, o.logger, o.threadPoster, o.messageRefresher);
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  let pass = 0;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    // Every tenth pass reads every open approval: a safety net under the change-date filter.
    const { changedSince, ...rest } = o;
    const full = pass++ % 10 === 9 || !changedSince;
    running = reflectErpDecisions({ ...rest, ...(full ? {} : { changedSince }), onChanged })
      .then((r) => {
        if (r.decidedInErp || r.completed) o.logger.info(r, "decisions reflected from the ERP");
      })
      .catch((err: unknown) => o.logger.warn({ code: codeOf(err) }, "ERP reflection failed"))
      .finally(() => {
        busy = false;
      });
  }, o.everyMs);
  timer.unref();
  // Records a poll or an M3 event saw change: each checked as soon as it is marked (a blocking
  // pop on a connection of its own), several at once. A slot covers the M3 read and the
  // transition; the message edit runs in a lane of its own, and the next records are read
  // meanwhile instead of one slot-full at a time behind the edits of the previous ones.
  const blocking = o.redis ? duplicateClient(o.redis) : undefined;
  const slots = o.concurrency ?? REFLECT_SLOTS;
  const edits = createEditLane(REFLECT_EDIT_LANE, (err: unknown) =>
    o.logger.warn({ code: codeOf(err) }, "ERP decision edit failed"),
  );
  const due = blocking
    ? startReflectDueConsumer({
        blocking,
        prefix: o.prefix ?? "",
        concurrency: slots,
        reflect: async (recordKey) => {
          const r = await reflectRecords(
            { ...o, onChanged: (a, line) => edits.enter(a.recordKey, () => onChanged(a, line)) },
            [recordKey],
          );
          if (r.decidedInErp || r.completed)
            o.logger.info(r, "decisions reflected from the ERP (changed records)");
        },
        onError: (err) =>
          o.logger.warn({ code: codeOf(err) }, "ERP reflection of changed records failed"),
      })
    : undefined;
  return async () => {
    clearInterval(timer);
    await due?.stop();
    await edits.drain();
    blocking?.disconnect();
    await running;
  };
}
