/**
 * The reflection side of the approvals chaos variant, as a process of its own (the scheduler
 * role's loops): the regular poll every CHAOS_POLL_MS and the product's changed-record consumer
 * (src/approvals/erp-due-consumer.ts), fed by M3's events: the simulator POSTs one signed event
 * per batch decided in M3 to the product's push endpoint (POST /m3/events) in this process, whose
 * ingest marks the batch due as the web role's does with write-back on. Out of the driver so the
 * lag measures the product, not the driver's crowded event loop. Wired as src/app/start.ts wires
 * the scheduler role: the reflected stamp is re-rendered through delivery's edit line
 * (`messageRefresherVia`) and the thread notice goes through delivery's queue
 * (`threadPosterVia`); delivery's worker runs in its own process (delivery-worker.ts). Writes
 * each reflected decision (record key, stage timestamps, when the reflection's call returned) to
 * a Redis list the driver reads; when Slack showed it the driver sees in the emulator. Prints
 * `READY <port>`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebClient } from "@slack/web-api";
import { Redis } from "ioredis";
import pino from "pino";
import {
  decidedOnly,
  REFLECT_EDIT_LANE,
  REFLECT_SLOTS,
  reflectedMessage,
} from "../../../src/app/erp-approvals.ts";
import { messageRefresherVia } from "../../../src/app/message-refresh.ts";
import { reflectIngest } from "../../../src/app/push.ts";
import { threadPosterVia } from "../../../src/app/thread-notes.ts";
import { createEditLane } from "../../../src/approvals/edit-lane.ts";
import { markReflectDue } from "../../../src/approvals/erp-due.ts";
import { startReflectDueConsumer } from "../../../src/approvals/erp-due-consumer.ts";
import { createM3Adapter } from "../../../src/approvals/erp-m3.ts";
import {
  type ReflectDeps,
  type ReflectedLine,
  reflectErpDecisions,
  reflectRecords,
} from "../../../src/approvals/erp-reflect.ts";
import { createErpWriter } from "../../../src/approvals/erp-write-back.ts";
import { createApprovalStore } from "../../../src/approvals/store.ts";
import type { Approval } from "../../../src/approvals/types.ts";
import { AuditLog } from "../../../src/audit/log.ts";
import { createInforClient } from "../../../src/infor/create-client.ts";
import { parseIonapi } from "../../../src/infor/ionapi.ts";
import { M3ApprovalCalls } from "../../../src/infor/m3/approval-calls.ts";
import { createPushHandler } from "../../../src/ops/push/handler.ts";
import type { MessageRefresher } from "../../../src/slack/actions/approval-messages.ts";
import { auditInputOf, slackAuditToLog } from "../../../src/slack/audit-sink.ts";
import { pacedFetch } from "../../../src/slack/destination/method-pacing.ts";
import { chaosDelivery, chaosTimeScale } from "./delivery.ts";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`approvals chaos reflector: ${name} is not set`);
  return v;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const logger = pino({ level: process.env.CHAOS_LOG_LEVEL ?? "silent" });
const redis = new Redis(env("REDIS_URL"));
const prefix = env("CHAOS_PREFIX");
const tenant = env("CHAOS_TENANT");
const pollMs = Number(env("CHAOS_POLL_MS"));
const invoices = Number(env("CHAOS_INVOICES"));
const infor = createInforClient({
  credentials: parseIonapi(env("CHAOS_IONAPI")),
  requestsPerMinute: 100_000,
  company: "100",
  division: "AAA",
});
const auditLog = new AuditLog({ redis, prefix });
const store = createApprovalStore({
  redis,
  prefix,
  prepareAudit: (e) => auditLog.prepare(auditInputOf(e)),
});
const adapter = createM3Adapter({
  calls: new M3ApprovalCalls(infor.mi),
  usesFlow: false,
  rejectReasonCode: "RJ",
});
const writer = createErpWriter({
  redis,
  prefix,
  logger,
  modeFor: () => "on",
  adapterFor: () => adapter,
});
// The scheduler's client as the product builds it (src/app/core.ts): every tiered method paced
// through the Redis budget the workers and delivery share, one short retry; on the chaos's clock
// (--tiers S, else UNPACED_SCALE).
const timeScale = chaosTimeScale();
const slack = new WebClient(env("CHAOS_BOT_TOKEN"), {
  slackApiUrl: env("CHAOS_SLACK_URL"),
  // Nobody waits on the scheduler's answers: a call waits its turn up to 60 s (core.ts).
  fetch: pacedFetch({ redis, prefix, timeScale, maxWaitMs: 60_000 }),
  retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
});
// Delivery as the scheduler role holds it: enqueue (thread notices) and refresh, no worker here.
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
// As startErpReflection is given them in src/app/start.ts; each timed (per approval, this edit's
// share of it), so the driver can tell the parts of the edit call apart. The timed refresher
// keeps every part of the product's (its `renderNow` too: without it the stamp would only go
// through the refresh). `rendered`: delivery rendered the message now and it was written at
// once; `queued`: delivery took the refresh (false: declined, or nothing left to do).
interface CallParts {
  render: number;
  refresh: number;
  notice: number;
  rendered?: boolean;
  queued?: boolean;
}
const callMs = new Map<string, CallParts>();
const partsOf = (id: string) => {
  const c = callMs.get(id) ?? { render: 0, refresh: 0, notice: 0 };
  callMs.set(id, c);
  return c;
};
const refresher = messageRefresherVia(delivery, store);
const poster = threadPosterVia((alert) => delivery.enqueue(alert));
const timedRefresher: MessageRefresher = async (input) => {
  const t0 = Date.now();
  const c = partsOf(input.approval.id);
  try {
    c.queued = await refresher(input);
    return c.queued;
  } catch (err) {
    c.queued = false;
    throw err;
  } finally {
    c.refresh += Date.now() - t0;
  }
};
const renderNow = refresher.renderNow;
if (renderNow) {
  timedRefresher.renderNow = async (input) => {
    const t0 = Date.now();
    const c = partsOf(input.approval.id);
    try {
      const now = await renderNow(input);
      c.rendered = now !== undefined;
      return now;
    } finally {
      c.render += Date.now() - t0;
    }
  };
}
const edit = reflectedMessage(
  slack,
  logger,
  async (input) => {
    const t0 = Date.now();
    await poster(input).finally(() => {
      partsOf(input.approval.id).notice += Date.now() - t0;
    });
  },
  timedRefresher,
);
const calls = new M3ApprovalCalls(infor.mi);
// Stage timestamps per record (this process's clock, the driver's is the same machine's): when
// the push marked it due, when the consumer took it, when its check last started; written with
// each reflected edit so the driver can say where the time between M3 and Slack went.
const marked = new Map<string, number>();
const taken = new Map<string, number>();
const base: Omit<ReflectDeps, "changedSince" | "limit" | "onChanged"> = {
  store,
  writer,
  adapterFor: () => adapter,
  modeFor: () => "on",
  audit: slackAuditToLog(auditLog),
  // The product's figures (src/app/erp-approvals.ts): the poll's M3 reads four at once (runAll's
  // default); the consumer's slots below.
};
const reflectedBy =
  (via: "consumer" | "poll"): ReflectDeps["onChanged"] =>
  async (a, line) => {
    const editAt = Date.now();
    callMs.delete(a.id);
    await edit(a, line);
    const parts = callMs.get(a.id);
    callMs.delete(a.id);
    await redis.rpush(
      `${prefix}chaos-reflected`,
      JSON.stringify({
        recordKey: a.recordKey,
        kind: line.kind,
        at: Date.now(),
        via,
        markedAt: marked.get(a.recordKey),
        takenAt: taken.get(a.recordKey),
        editAt,
        renderMs: parts?.render,
        refreshMs: parts?.refresh,
        noticeMs: parts?.notice,
        rendered: parts?.rendered,
        refreshQueued: parts?.queued,
      }),
    );
  };
// As startErpReflection: its consumer slots, each covering the M3 read and the transition; the
// edit in a lane of its own, of the product's size.
const SLOTS = REFLECT_SLOTS;
const edits = createEditLane(REFLECT_EDIT_LANE, (err: unknown) =>
  logger.warn({ err }, "edit failed"),
);
const consumerEdit = reflectedBy("consumer");
const deps = {
  ...base,
  onChanged: (a: Approval, line: ReflectedLine) =>
    edits.enter(a.recordKey, () => consumerEdit(a, line)),
};
const pollDeps = { ...base, onChanged: reflectedBy("poll") };

// M3's events through the product's push endpoint (signature checked, events read and mapped);
// its ingest marks a decided batch due, as the web role's does with write-back on (the targeted
// read of the record that the web role also queues is not made here: no sync side runs).
const push = createPushHandler({
  auth: { hmacSecrets: [env("CHAOS_PUSH_SECRET")] },
  ingest: reflectIngest({
    tenant,
    markDue: (recordKey) => {
      if (!marked.has(recordKey)) marked.set(recordKey, Date.now());
      return markReflectDue(redis, prefix, recordKey);
    },
  }),
  logger,
});
const receiver = createServer((req, res) => {
  push(req, res).catch((err: unknown) => {
    logger.warn({ err }, "event not read");
    if (!res.headersSent) res.writeHead(500).end();
  });
});
await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));

let running = true;
process.on("SIGTERM", () => {
  running = false;
});
const blocking = new Redis(env("REDIS_URL"));
const due = startReflectDueConsumer({
  blocking,
  prefix,
  concurrency: SLOTS,
  reflect: (recordKey) => {
    if (!taken.has(recordKey)) taken.set(recordKey, Date.now());
    return reflectRecords(deps, [recordKey]);
  },
  onError: (err) => logger.warn({ err }, "changed-record reflection failed"),
});
const poll = (async () => {
  let pass = 0;
  while (running) {
    const t0 = Date.now();
    const full = pass++ % 30 === 29;
    await reflectErpDecisions({
      ...pollDeps,
      ...(full
        ? {}
        : {
            changedSince: async (
              _t: string,
              scope: { company: string; division: string },
              since: string,
            ) => decidedOnly(await calls.changedBatches(scope, since)),
          }),
      limit: invoices,
    }).catch(() => undefined);
    await redis.rpush(`${prefix}chaos-passes`, String(Date.now() - t0));
    await sleep(Math.max(0, pollMs - (Date.now() - t0)));
  }
})();
process.stdout.write(`READY ${(receiver.address() as AddressInfo).port}\n`);
await poll;
await due.stop();
await edits.drain();
blocking.disconnect();
await delivery.close();
receiver.close();
await infor.close();
await redis.quit();
process.stdout.write("DONE\n");
