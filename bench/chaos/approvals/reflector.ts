/**
 * The reflection side of the approvals chaos variant, as a process of its own (the scheduler
 * role's loops): the regular poll every CHAOS_POLL_MS and the changed-record loop every second,
 * fed by M3's events (the simulator POSTs one per batch decided in M3 to this process). Out of
 * the driver so the lag measures the product, not the driver's crowded event loop. Writes each
 * reflected decision (record key, time) to a Redis list the driver reads. Prints `READY <port>`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebClient } from "@slack/web-api";
import { Redis } from "ioredis";
import pino from "pino";
import { decidedOnly, reflectedMessage } from "../../../src/app/erp-approvals.ts";
import { markReflectDue, takeReflectDue } from "../../../src/approvals/erp-due.ts";
import { createM3Adapter } from "../../../src/approvals/erp-m3.ts";
import {
  type ReflectDeps,
  reflectErpDecisions,
  reflectRecords,
} from "../../../src/approvals/erp-reflect.ts";
import { createErpWriter } from "../../../src/approvals/erp-write-back.ts";
import { createApprovalStore } from "../../../src/approvals/store.ts";
import { AuditLog } from "../../../src/audit/log.ts";
import { createInforClient } from "../../../src/infor/create-client.ts";
import { parseIonapi } from "../../../src/infor/ionapi.ts";
import { M3ApprovalCalls } from "../../../src/infor/m3/approval-calls.ts";
import { auditInputOf, slackAuditToLog } from "../../../src/slack/audit-sink.ts";

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
const slack = new WebClient(env("CHAOS_BOT_TOKEN"), {
  slackApiUrl: env("CHAOS_SLACK_URL"),
  retryConfig: { retries: 0 },
});
const edit = reflectedMessage(slack, logger);
const calls = new M3ApprovalCalls(infor.mi);
const deps: Omit<ReflectDeps, "changedSince" | "limit"> = {
  store,
  writer,
  adapterFor: () => adapter,
  modeFor: () => "on",
  audit: slackAuditToLog(auditLog),
  concurrency: 16,
  onChanged: async (a, line) => {
    await edit(a, line);
    await redis.rpush(
      `${prefix}chaos-reflected`,
      JSON.stringify({ recordKey: a.recordKey, kind: line.kind, at: Date.now() }),
    );
  },
};

// M3's events: a decided batch (FAPIBH) is marked due, as sync marks it after its push read
// (that one targeted read of the record is not made here).
const receiver = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  res.writeHead(202).end();
  try {
    const e = JSON.parse(Buffer.concat(chunks).toString()) as {
      documentName?: string;
      elementValues?: Record<string, string>;
    };
    const v = e.elementValues ?? {};
    if (e.documentName === "FAPIBH" && v.INBN)
      await markReflectDue(
        redis,
        prefix,
        `supplier_invoice:${tenant}:${v.CONO}:${v.DIVI}:${v.INBN}`,
      );
  } catch (err) {
    logger.warn({ err }, "event not read");
  }
});
await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));

let running = true;
process.on("SIGTERM", () => {
  running = false;
});
const due = (async () => {
  while (running) {
    const keys = await takeReflectDue(redis, prefix);
    if (keys.length) await reflectRecords(deps, keys).catch(() => undefined);
    await sleep(1_000);
  }
})();
const poll = (async () => {
  let pass = 0;
  while (running) {
    const t0 = Date.now();
    const full = pass++ % 30 === 29;
    await reflectErpDecisions({
      ...deps,
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
await Promise.all([due, poll]);
receiver.close();
await infor.close();
await redis.quit();
process.stdout.write("DONE\n");
