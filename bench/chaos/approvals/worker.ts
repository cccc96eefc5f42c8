/**
 * One approvals web worker of the approvals chaos variant: the Bolt app with the real approval
 * handlers and the real ERP write-back (M3 through the simulator), as a separate process the
 * driver can SIGKILL. Wired as src/app/web.ts wires the web role: each decision stamp is also
 * re-rendered through delivery's edit line (`messageRefresherVia`) and the thread notices go
 * through delivery's queue (`threadPosterVia`); delivery's worker runs in its own process
 * (delivery-worker.ts), this one only enqueues. Prints `READY <port>` when it listens.
 */
import { Redis } from "ioredis";
import pino from "pino";
import { messageRefresherVia } from "../../../src/app/message-refresh.ts";
import { threadPosterVia } from "../../../src/app/thread-notes.ts";
import { createM3Adapter } from "../../../src/approvals/erp-m3.ts";
import { createErpWriter } from "../../../src/approvals/erp-write-back.ts";
import { createApprovalStore } from "../../../src/approvals/store.ts";
import { AuditLog } from "../../../src/audit/log.ts";
import { createInforClient } from "../../../src/infor/create-client.ts";
import { parseIonapi } from "../../../src/infor/ionapi.ts";
import { M3ApprovalCalls } from "../../../src/infor/m3/approval-calls.ts";
import { createSlackApp } from "../../../src/slack/app.ts";
import { auditInputOf, slackAuditToLog } from "../../../src/slack/audit-sink.ts";
import { chaosDelivery, chaosTimeScale } from "./delivery.ts";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`approvals chaos worker: ${name} is not set`);
  return v;
};

const logger = pino({ level: process.env.CHAOS_LOG_LEVEL ?? "silent" });
const redis = new Redis(env("REDIS_URL"));
const prefix = env("CHAOS_PREFIX");
const infor = createInforClient({
  credentials: parseIonapi(env("CHAOS_IONAPI")),
  requestsPerMinute: 100_000,
  company: "100",
  division: "AAA",
  retry: { baseMs: 20, capMs: 200, maxAttempts: 4 },
  // An approve whose answer is lost must fail fast, as a real gateway timeout would.
  headersTimeoutMs: 3_000,
  bodyTimeoutMs: 3_000,
});
// The product's audit log: the transition writes its entry in the same Lua step.
const auditLog = new AuditLog({ redis, prefix });
const store = createApprovalStore({
  redis,
  prefix,
  prepareAudit: (e) => auditLog.prepare(auditInputOf(e)),
});
// Delivery as the web role holds it (src/app/core.ts): enqueue and refresh, no worker here.
const timeScale = chaosTimeScale();
const delivery = chaosDelivery({
  redis,
  prefix,
  auditLog,
  store,
  botToken: env("CHAOS_BOT_TOKEN"),
  slackUrl: env("CHAOS_SLACK_URL"),
  timeScale,
  logger,
});
const writer = createErpWriter({
  redis,
  prefix,
  logger,
  modeFor: () => "on",
  adapterFor: () =>
    createM3Adapter({
      calls: new M3ApprovalCalls(infor.mi),
      usesFlow: false,
      rejectReasonCode: "RJ",
    }),
  lockMs: 5_000,
});
const slack = createSlackApp({
  config: {
    signingSecret: env("CHAOS_SIGNING_SECRET"),
    botToken: env("CHAOS_BOT_TOKEN"),
    botId: "B0EMUBOT01",
    botUserId: "U0BOT00001",
    slackApiUrl: env("CHAOS_SLACK_URL"),
    // The chaos's clock (--tiers S, else UNPACED_SCALE), shared with the reflector's and
    // delivery's budgets for the same methods.
    methodTimeScale: timeScale,
  },
  redis,
  keyPrefix: prefix,
  lookups: {} as never,
  logger,
  audit: slackAuditToLog(auditLog),
  approvals: {
    store,
    policy: { authorize: async () => ({ allowed: true }) },
    recheck: async () => ({ changed: false }),
    erp: writer,
  },
  threadPoster: threadPosterVia((alert) => delivery.enqueue(alert)),
  messageRefresher: messageRefresherVia(delivery, store),
});
const { port } = await slack.start(0);
process.stdout.write(`READY ${port}\n`);
