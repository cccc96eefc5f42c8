/**
 * Delivery as the approvals chaos composes it, one definition for every process of the variant:
 * the driver (which enqueues the approval messages, as the sync side does), the delivery worker
 * (delivery-worker.ts, which posts and edits), the Bolt workers and the reflector (which ask for
 * refreshes and queue thread notices). As src/app/core.ts builds it: Slack as the destination,
 * the approvals store as its decision source, one audit log shared with the approvals.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { approvalDecisions } from "../../../src/approvals/decisions.ts";
import type { ApprovalStore } from "../../../src/approvals/store.ts";
import type { AuditLog } from "../../../src/audit/log.ts";
import type { Delivery } from "../../../src/delivery/delivery.ts";
import { createSlackDelivery } from "../../../src/slack/destination/delivery.ts";

/**
 * The pacing clock without `--tiers`: the emulator then enforces no method tiers, and every
 * caller (the Bolt workers' paced client, the reflector's, delivery's pacer) runs 1,000 times
 * faster than Slack (Tier 3: 833 a second), so pacing stays out of the measurement. One clock
 * for all of them: they share one Redis budget per method, and a caller on the real clock would
 * push the shared slot seconds ahead of one on a fast clock. Delivery's pacer has no "give up
 * and send" deadline (pacedFetch's 2 s), so on the real clock the ~2,000 refreshes of a full
 * run would queue at 50 a minute.
 */
export const UNPACED_SCALE = 1000;

export function chaosDelivery(o: {
  redis: Redis;
  prefix: string;
  auditLog: AuditLog;
  store: ApprovalStore;
  botToken: string;
  slackUrl: string;
  /** `--tiers S` (S), else UNPACED_SCALE: chat.update, history and posts on that clock. */
  timeScale: number;
  logger: Logger;
}): Delivery {
  return createSlackDelivery({
    connection: o.redis,
    prefix: o.prefix,
    slack: { token: o.botToken, slackApiUrl: o.slackUrl },
    logger: o.logger,
    // The product's defaults on the chaos's clock (every rate times `timeScale`): posts per
    // channel and workspace, chat.update and the look-ups, learning the channel's burst.
    config: { timeScale: o.timeScale },
    decisions: approvalDecisions(o.store),
    audit: o.auditLog,
  });
}

/** The chaos's clock for every Slack caller, from the driver's environment. */
export function chaosTimeScale(): number {
  const s = Number(process.env.CHAOS_TIME_SCALE);
  if (!Number.isFinite(s) || s <= 0)
    throw new Error("approvals chaos: CHAOS_TIME_SCALE is not set");
  return s;
}
