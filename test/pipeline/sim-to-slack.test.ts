import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { approvalDecisions } from "../../src/approvals/decisions.ts";
import { createApprovalStore } from "../../src/approvals/store.ts";
import { parseRouting } from "../../src/config/routing-load.ts";
import type { RoutingConfig } from "../../src/config/routing-schema.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import { createInforClient, type InforClient } from "../../src/infor/create-client.ts";
import { parseIonapi } from "../../src/infor/ionapi.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import { approvalHooks, createExceptionPipeline } from "../../src/pipeline/compose.ts";
import { lookupsFromSources } from "../../src/pipeline/lookups.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { createAlertSink } from "../../src/sync/alert-sink.ts";
import type { SyncDeps } from "../../src/sync/deps.ts";
import { runPoll } from "../../src/sync/poll.ts";
import type { SyncScheduleInput } from "../../src/sync/schedule.ts";
import { cleanup, connect, uniquePrefix } from "./helpers.ts";

/**
 * Simulator invoice with a missing receipt → exception message in the cost center's channel of
 * the Slack emulator (sync + delivery + the pipeline) → the simulator receives the goods → the
 * next PO poll edits the message as resolved and the thread says why.
 */
const SCALE = 20;
const CC100 = "C0CC100001";
const FINANCE = "C0FINANCE1";
const OPS = "C0OPS00001";

const ROUTING = `
version: 1
channels:
  finance: ${FINANCE}
  ops: ${OPS}
  cc100: ${CC100}
defaultChannel: finance
opsChannel: ops
tenants:
  - id: SIMCO_TST
    companies:
      - company: 100
        divisions: [AAA]
        schedules:
          supplier_invoice: { every: 5m }
          purchase_order: { every: 5m }
costCenters:
  CC100:
    channel: cc100
    approvers:
      - upTo: unlimited
        users: [U0APPR0001]
tolerances:
  default:
    pricePercent: 2
`;

let redis: RedisClient;
let prefix: string;
let sim: InforSim;
let emu: SlackEmu;
let client: InforClient;
let delivery: Delivery;
let deps: SyncDeps;
let approvals: ReturnType<typeof createApprovalStore>;
/** Simulates the process dying inside the sink: after the pipeline stored its state, before enqueue. */
let dieOnNextExceptionEnqueue = false;
const approvalEvents: string[] = [];

function schedule(entity: "supplier_invoice" | "purchase_order"): SyncScheduleInput {
  return { tenant: sim.tenant, company: "100", division: "AAA", entity, everyMs: 300_000 };
}

async function poll(entity: "supplier_invoice" | "purchase_order") {
  return runPoll(deps, { schedule: schedule(entity) });
}

async function drained(): Promise<void> {
  const end = Date.now() + 20_000;
  for (;;) {
    const s = await delivery.stats();
    if (s.waiting + s.delayed + s.active === 0 && s.oldestAgeMs === 0) return;
    if (Date.now() > end) throw new Error(`delivery did not drain: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  redis = connect();
  prefix = uniquePrefix("pipeline-e2e");
  sim = await startInforSim({
    port: 0,
    seed: 11,
    data: {
      suppliersPerCompany: 3,
      purchaseOrders: 4,
      invoices: 4,
      manualVouchers: 1,
    },
  });
  emu = await startSlackEmu({ timeScale: SCALE });
  client = createInforClient({
    credentials: parseIonapi(sim.ionapi),
    requestsPerMinute: 100_000,
    company: "100",
    division: "AAA",
    retry: { baseMs: 10, capMs: 100, maxAttempts: 4 },
  });
  const source = createM3Source(client.mi, { tenant: sim.tenant, company: "100", division: "AAA" });
  const parsed = parseRouting(ROUTING);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const routing: RoutingConfig = parsed.config;
  approvals = createApprovalStore({ redis, prefix });
  delivery = createSlackDelivery({
    connection: redis,
    prefix,
    // As the app wires it: an edit renders each line's approval as it stands now.
    decisions: approvalDecisions(approvals),
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    config: {
      timeScale: SCALE,
      retryDelayMs: 50,
      requestTimeoutMs: 2000,
      opsChannel: OPS,
      digests: { enabled: false },
    },
  });
  delivery.startWorker({ concurrency: 2 });
  const pipeline = createExceptionPipeline({
    redis,
    prefix,
    routing,
    lookups: lookupsFromSources(() => source),
    ...approvalHooks({
      store: approvals,
      audit: (e) => {
        approvalEvents.push(`${e.type}:${e.approvalId}`);
      },
    }),
  });
  deps = {
    redis,
    prefix,
    sourceFactory: () => source,
    sink: createAlertSink({
      enqueue: async (a) => {
        if (dieOnNextExceptionEnqueue && a.kind === "exception.opened") {
          dieOnNextExceptionEnqueue = false;
          throw Object.assign(new Error("process died"), { code: "TEST_CRASH" });
        }
        await delivery.enqueue(a);
      },
      audit: delivery.audit,
      opsChannel: OPS,
      defaultChannel: FINANCE,
      extraAlerts: pipeline.extraAlerts,
    }),
  };
});

afterAll(async () => {
  await delivery?.close();
  await client?.close();
  await sim?.close();
  await emu?.close();
  if (redis) {
    await cleanup(redis, prefix);
    await redis.quit();
  }
});

function exceptionMessages(channel: string, about?: string) {
  return (
    emu.inspect
      .messages(channel)
      // Exception alerts carry the alert header (blocks/alert.ts); record alerts do not.
      .filter((m) => JSON.stringify(m.blocks).includes('"block_id":"alert.header"'))
      .filter((m) => about === undefined || JSON.stringify(m.blocks).includes(about))
  );
}

describe("simulator → exception in Slack → resolved by a receipt", () => {
  it("posts the missing receipt in the cost center's channel, then resolves it in place", async () => {
    // First polls start from now: history is learned, nothing is posted.
    expect((await poll("purchase_order")).status).toBe("primed");
    expect((await poll("supplier_invoice")).status).toBe("primed");

    sim.control.upsert("supplier", { SUNO: "SPIPE1", SUNM: "Pipeline Supplies" });
    sim.control.upsert("po", { SUNO: "SPIPE1", PUNO: "4790001" });
    sim.control.upsert("poLine", { PUNO: "4790001", PNLI: 10, ORQA: "10", PUPR: "5.00" });
    const inv = sim.control.upsert("invoice", {
      SUNO: "SPIPE1",
      SINO: "PIPE-1",
      CUAM: "50.00",
      PUNO: "4790001",
    }) as { inbn: number };
    sim.control.upsert("invoiceLine", {
      INBN: inv.inbn,
      TRNO: 1,
      PUNO: "4790001",
      PNLI: 10,
      IVQA: "10",
      GRPR: "5.00",
      NLAM: "50.00",
    });

    await poll("purchase_order");
    await poll("supplier_invoice");
    await drained();

    const opened = exceptionMessages(CC100);
    expect(opened).toHaveLength(1);
    const msg = opened[0];
    expect(msg?.text).toContain("No receipt");
    expect(msg?.text).toContain("4790001");
    const blocks = JSON.stringify(msg?.blocks);
    expect(blocks).toContain("approval.approve");
    expect(blocks).toContain("approval.hold");
    const approvalId = /"value":"(apv_[a-f0-9]+)"/.exec(blocks)?.[1];
    expect(approvalId).toBeDefined();
    expect((await approvals.get(approvalId as string))?.state).toBe("pending");

    // Polling again with nothing changed posts nothing.
    await poll("purchase_order");
    await poll("supplier_invoice");
    await drained();
    expect(exceptionMessages(CC100)).toHaveLength(1);
    expect(emu.inspect.messages(CC100)[0]?.edits ?? []).toHaveLength(0);

    // The goods arrive: only the PO changes in the ERP.
    const receipt = sim.control.upsert("receipt", { PUNO: "4790001", PNLI: 10, RPQA: "10" }) as {
      repn: string;
    };
    await poll("purchase_order");
    await drained();

    const after = exceptionMessages(CC100);
    expect(after).toHaveLength(1);
    const resolved = after[0];
    expect(resolved?.ts).toBe(msg?.ts);
    expect(resolved?.text).toMatch(/^Resolved: No receipt/);
    expect(resolved?.edits).toHaveLength(1);
    expect(JSON.stringify(resolved?.blocks)).not.toContain("approval.approve");
    expect(resolved?.replies).toHaveLength(1);
    const reply = JSON.stringify(resolved?.replies[0]?.blocks);
    expect(reply).toContain(`receipt ${receipt.repn} arrived for line 1 (10 of 10 received)`);
    // Notifications and screen readers get only `text`: it carries the reason, not "Status".
    expect(resolved?.replies[0]?.text).toBe(
      `Resolved: receipt ${receipt.repn} arrived for line 1 (10 of 10 received)`,
    );
    expect(resolved?.text).toContain(`receipt ${receipt.repn} arrived for line 1`);
    expect((await approvals.get(approvalId as string))?.state).toBe("superseded");
    expect(approvalEvents).toEqual([
      `approval.created:${approvalId}`,
      `approval.superseded:${approvalId}`,
    ]);

    // And once more: nothing new anywhere.
    await poll("purchase_order");
    await poll("supplier_invoice");
    await drained();
    expect(emu.inspect.messages(CC100)).toHaveLength(1);
    expect(emu.inspect.messages(CC100)[0]?.replies).toHaveLength(1);
  });

  it("a crash inside the sink still posts the price variance, once; a corrected invoice resolves it", async () => {
    sim.control.upsert("po", { SUNO: "SPIPE1", PUNO: "4790002" });
    sim.control.upsert("poLine", { PUNO: "4790002", PNLI: 10, ORQA: "10", PUPR: "5.00" });
    sim.control.upsert("receipt", { PUNO: "4790002", PNLI: 10, RPQA: "10" });
    const inv = sim.control.upsert("invoice", {
      SUNO: "SPIPE1",
      SINO: "PIPE-2",
      CUAM: "44.00",
      PUNO: "4790002",
    }) as { inbn: number };
    const line = { INBN: inv.inbn, TRNO: 1, PUNO: "4790002", PNLI: 10, IVQA: "8" };
    sim.control.upsert("invoiceLine", { ...line, GRPR: "5.50", NLAM: "44.00" });
    await poll("purchase_order");

    // The process dies after the pipeline stored the exception as open, before its alert was
    // queued; the watermark holds, so the next poll reads the same invoice version again and
    // must send the same alert (not nothing, because the exception is already open).
    dieOnNextExceptionEnqueue = true;
    await expect(poll("supplier_invoice")).rejects.toThrow();
    // The retry comes after a backoff, when what was queued before the crash has been sent.
    await drained();
    await poll("supplier_invoice");
    await drained();
    const opened = exceptionMessages(CC100, "4790002");
    expect(opened).toHaveLength(1);
    expect(opened[0]?.text).toContain("Price variance");
    expect(opened[0]?.text).toContain("5.50 EUR vs PO 5.00 EUR");

    // AP corrects the price on the invoice.
    // (8 × 5.00 = 40.00 EUR: no other invoice of the supplier has that total, so no duplicate.)
    sim.control.upsert("invoice", { INBN: inv.inbn, CUAM: "40.00" });
    sim.control.upsert("invoiceLine", { ...line, GRPR: "5.00", NLAM: "40.00" });
    await poll("supplier_invoice");
    await drained();
    const after = exceptionMessages(CC100, "4790002");
    expect(after).toHaveLength(1);
    expect(after[0]?.ts).toBe(opened[0]?.ts);
    expect(after[0]?.text).toMatch(/^Resolved: Price variance/);
    expect(after[0]?.replies).toHaveLength(1);
    expect(JSON.stringify(after[0]?.replies[0]?.blocks)).toContain(
      "invoice corrected: unit price now 5.00 EUR",
    );
  });

  it("two price variances on two lines are ONE message: a crash still posts it once, a decided line stays stamped when another line resolves", async () => {
    sim.control.upsert("po", { SUNO: "SPIPE1", PUNO: "4790003" });
    for (const pnli of [10, 20]) {
      sim.control.upsert("poLine", { PUNO: "4790003", PNLI: pnli, ORQA: "10", PUPR: "5.00" });
      sim.control.upsert("receipt", { PUNO: "4790003", PNLI: pnli, RPQA: "10" });
    }
    const inv = sim.control.upsert("invoice", {
      SUNO: "SPIPE1",
      SINO: "PIPE-3",
      CUAM: "111.00",
      PUNO: "4790003",
    }) as { inbn: number };
    const line = (trno: number, pnli: number, price: string, amount: string) =>
      sim.control.upsert("invoiceLine", {
        INBN: inv.inbn,
        TRNO: trno,
        PUNO: "4790003",
        PNLI: pnli,
        IVQA: "10",
        GRPR: price,
        NLAM: amount,
      });
    line(1, 10, "5.50", "55.00");
    line(2, 20, "5.60", "56.00");
    await poll("purchase_order");
    // The process dies before the invoice's document alert is queued: the re-read sends the
    // same one alert (one message), not one per exception and not nothing.
    dieOnNextExceptionEnqueue = true;
    await expect(poll("supplier_invoice")).rejects.toThrow();
    await drained();
    await poll("supplier_invoice");
    await drained();
    const opened = exceptionMessages(CC100, "4790003");
    expect(opened).toHaveLength(1);
    const msg = opened[0];
    expect(msg?.text).toContain("2 open exceptions");
    const ids = [
      ...JSON.stringify(msg?.blocks).matchAll(/"block_id":"doc\.act:(apv_[a-f0-9]+)"/g),
    ].map((m) => m[1] as string);
    expect(ids).toHaveLength(2);

    // Line 1 is approved (the click's own message update is the click handler's; here only the
    // store moves): the next version must render it stamped, not with buttons again.
    await approvals.transition(ids[0] as string, "approve", "U0APPR0001");
    // Line 2's price is corrected: ONE edit of the same message, one reply naming line 2.
    sim.control.upsert("invoice", { INBN: inv.inbn, CUAM: "105.00" });
    line(2, 20, "5.00", "50.00");
    await poll("supplier_invoice");
    await drained();
    const after = exceptionMessages(CC100, "4790003");
    expect(after).toHaveLength(1);
    expect(after[0]?.ts).toBe(msg?.ts);
    expect(after[0]?.edits).toHaveLength(1);
    const blocks = JSON.stringify(after[0]?.blocks);
    expect(blocks).not.toContain(`doc.act:${ids[0]}`);
    expect(blocks).toContain("<@U0APPR0001>");
    expect(blocks).toContain("Resolved");
    expect(after[0]?.replies).toHaveLength(1);
    expect(after[0]?.replies[0]?.text).toContain("Line 2");
    expect(after[0]?.replies[0]?.text).not.toContain("Line 1");
    expect((await approvals.get(ids[1] as string))?.state).toBe("superseded");
  });
});
