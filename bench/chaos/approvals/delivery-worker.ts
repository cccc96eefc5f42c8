/**
 * Delivery's worker of the approvals chaos variant (the product's `worker` role runs it,
 * src/app/start.ts): posts the approval messages the driver enqueued, attaches each approval to
 * its message, and runs the refreshes (decision stamps re-rendered in the channel's edit line)
 * and the thread notices the Bolt workers and the reflector queue. A process of its own, as the
 * worker role is in the product, and not SIGKILLed here: a killed delivery worker's jobs wait
 * for BullMQ's stalled-job check (30 s lock) before another worker takes them, which is
 * delivery's chaos's subject (`npm run chaos`), not this variant's. Prints `READY` once it
 * takes jobs; stops on SIGTERM after its running jobs.
 */
import { Redis } from "ioredis";
import pino from "pino";
import { createApprovalStore } from "../../../src/approvals/store.ts";
import { AuditLog } from "../../../src/audit/log.ts";
import { auditInputOf } from "../../../src/slack/audit-sink.ts";
import { chaosDelivery, chaosTimeScale } from "./delivery.ts";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`approvals chaos delivery worker: ${name} is not set`);
  return v;
};

const logger = pino({ level: process.env.CHAOS_LOG_LEVEL ?? "silent" });
// BullMQ's workers need connections that retry forever (their duplicates take this option).
const redis = new Redis(env("REDIS_URL"), { maxRetriesPerRequest: null });
const prefix = env("CHAOS_PREFIX");
const auditLog = new AuditLog({ redis, prefix });
const store = createApprovalStore({
  redis,
  prefix,
  prepareAudit: (e) => auditLog.prepare(auditInputOf(e)),
});
const delivery = chaosDelivery({
  redis,
  prefix,
  auditLog,
  store,
  botToken: env("CHAOS_BOT_TOKEN"),
  slackUrl: env("CHAOS_SLACK_URL"),
  timeScale: chaosTimeScale(),
  logger,
});
// The product's default concurrency (core.delivery.startWorker() in src/app/start.ts).
delivery.startWorker();
process.stdout.write("READY\n");
process.once("SIGTERM", () => {
  void (async () => {
    await delivery.close();
    await redis.quit();
    process.exit(0);
  })();
});
