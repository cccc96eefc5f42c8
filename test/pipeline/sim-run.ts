import type { InforSimOptions } from "../../sandbox/infor-sim/options.ts";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import type { Alert } from "../../src/alerts/alert.ts";
import { createInforClient } from "../../src/infor/create-client.ts";
import { parseIonapi } from "../../src/infor/ionapi.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import { createExceptionTracker } from "../../src/pipeline/exception-tracker.ts";
import { lookupsFromSources } from "../../src/pipeline/lookups.ts";
import type { MatchPolicy } from "../../src/rules/match-policy.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createAlertSink } from "../../src/sync/alert-sink.ts";
import { runPoll } from "../../src/sync/poll.ts";
import { routingPolicy } from "./helpers.ts";

export interface SimRun {
  sim: InforSim;
  alerts: Alert[];
  /** ION requests the invoice poll made, and the invoices it found new. */
  invoiceRequests: number;
  invoices: number;
  close(): Promise<void>;
}

/**
 * A sim tenant imported by a deliberate backfill (POs, then invoices) through sync and the
 * exception pipeline, read through the real M3 client and mappers; the alerts it produced.
 * `batch` reads each invoice page's POs ahead in set-based reads (`batchScope`); `prefetch` also
 * starts those reads when the page arrives, while the page before is handled.
 */
export async function backfillSim(
  redis: RedisClient,
  prefix: string,
  simOptions: InforSimOptions,
  matchPolicy: MatchPolicy,
  options: { batch?: boolean; prefetch?: boolean; pageSize?: number } = {},
): Promise<SimRun> {
  const sim = await startInforSim({
    port: 0,
    seed: 5,
    data: { suppliersPerCompany: 4, purchaseOrders: 6, invoices: 6, manualVouchers: 1 },
    ...simOptions,
  });
  const client = createInforClient({
    credentials: parseIonapi(sim.ionapi),
    requestsPerMinute: 100_000,
    company: "100",
    division: "AAA",
    retry: { baseMs: 10, capMs: 100, maxAttempts: 4 },
  });
  const close = async () => {
    await client.close();
    await sim.close();
  };
  try {
    const source = createM3Source(client.mi, {
      tenant: sim.tenant,
      company: "100",
      division: "AAA",
    });
    const tracker = createExceptionTracker({
      redis,
      prefix,
      lookups: lookupsFromSources(() => source),
      matchPolicy,
      routingPolicy,
    });
    const alerts: Alert[] = [];
    const sink = createAlertSink({
      enqueue: async (a) => {
        alerts.push(a);
      },
      audit: { append: async () => "0-0" },
      opsChannel: "COPS",
      defaultChannel: "CDEFAULT",
      extraAlerts: (event) => tracker.onChange(event),
      ...(options.batch ? { batchScope: tracker.withBatch } : {}),
      ...(options.prefetch ? { prefetch: tracker.prefetch } : {}),
    });
    let invoiceRequests = 0;
    let invoices = 0;
    for (const entity of ["purchase_order", "supplier_invoice"] as const) {
      const before = sim.control.counters().apiRequests;
      const r = await runPoll(
        { redis, prefix, sourceFactory: () => source, sink },
        {
          schedule: {
            tenant: sim.tenant,
            company: "100",
            division: "AAA",
            entity,
            everyMs: 60_000,
            ...(options.pageSize ? { pageSize: options.pageSize } : {}),
          },
          mode: "backfill",
          since: "2025-01-01",
        },
      );
      if (entity === "supplier_invoice" && r.status !== "skipped_busy") {
        invoiceRequests = sim.control.counters().apiRequests - before;
        invoices = r.counts.new;
      }
    }
    return { sim, alerts, invoiceRequests, invoices, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Exception types opened per invoice batch number. */
export function openedByBatch(alerts: readonly Alert[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of alerts) {
    if (a.kind !== "exception.opened") continue;
    const batch = (a.record as { batchNumber?: string } | undefined)?.batchNumber ?? "?";
    out.set(batch, [...(out.get(batch) ?? []), a.exception?.type ?? "?"]);
  }
  return out;
}
