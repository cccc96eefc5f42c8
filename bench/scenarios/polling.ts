import { Redis } from "ioredis";
import { startInforSim } from "../../sandbox/infor-sim/server.ts";
import { createInforClient, type InforClient } from "../../src/infor/create-client.ts";
import { unlimited } from "../../src/infor/http/rate-limiter.ts";
import { parseIonapi } from "../../src/infor/ionapi.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import { codeOf } from "../../src/shared/error-code.ts";
import type { Scenario } from "../types.ts";

/**
 * Polling 100k supplier invoices (heads + lines, EXPORTMI, 1,000 rows a page) from infor-sim
 * with three pollers (one per company/division) sharing one requests-per-minute budget through
 * Redis, as replicas would. The sim enforces the same budget (429 above it).
 *
 * Time is scaled so the run fits in under two minutes: the sim clock runs SCALE× faster and the
 * client's budget window is 60 s / SCALE, so "100 requests per minute" keeps its meaning in sim
 * time. Bound: requests made ÷ budget rate; target elapsed ÷ bound ≤ 1.10 and zero 429s.
 * Baseline, same run: the same pollers without a client-side budget (retries on, default
 * backoff), counting the 429s they draw and the time they take.
 */

const SCALE = 4;
const BUDGET_PER_MINUTE = 100;
const PAGE = 1000;
const SCOPES: [string, string][] = [
  ["100", "AAA"],
  ["100", "BBB"],
  ["200", "CCC"],
];

interface Run {
  records: number;
  rejects: number;
  requests: number;
  elapsedMs: number;
  sim429: number;
  error?: string;
}

async function pollAll(client: InforClient, tenant: string): Promise<Omit<Run, "sim429">> {
  const t0 = performance.now();
  let records = 0;
  let rejects = 0;
  let error: string | undefined;
  await Promise.all(
    SCOPES.map(async ([company, division]) => {
      const src = createM3Source(client.mi, { tenant, company, division });
      try {
        for await (const b of src.listChanged("supplier_invoice", "2020-01-01", {
          pageSize: PAGE,
        })) {
          records += b.records.length;
          rejects += b.rejects.length;
        }
      } catch (err) {
        const status = (err as { status?: number }).status;
        error = `${codeOf(err) ?? "error"}${status ? ` ${status}` : ""} (${division})`;
      }
    }),
  );
  return {
    records,
    rejects,
    requests: client.http.stats.requests,
    elapsedMs: performance.now() - t0,
    ...(error ? { error } : {}),
  };
}

async function run(invoices: number, redisUrl: string, paced: boolean): Promise<Run> {
  const t0 = Date.now();
  const sim = await startInforSim({
    port: 0,
    seed: 11,
    data: { invoices },
    requestsPerMinute: BUDGET_PER_MINUTE,
    now: () => t0 + (Date.now() - t0) * SCALE,
  });
  const redis = new Redis(redisUrl);
  const prefix = `bench:polling:${process.pid}:${Date.now()}:`;
  const windowMs = 60_000 / SCALE;
  const client = createInforClient({
    credentials: parseIonapi(sim.ionapi),
    // The paced run shares the budget through Redis; the baseline has no client-side budget.
    ...(paced ? { redis, requestsPerMinute: BUDGET_PER_MINUTE, windowMs } : { limiter: unlimited }),
    keyPrefix: prefix,
  });
  try {
    const r = await pollAll(client, sim.tenant);
    return { ...r, sim429: sim.control.counters().status429 };
  } finally {
    await client.close();
    await redis.del(`${prefix}infor:rpm:${sim.tenant}`);
    await redis.quit();
    await sim.close();
  }
}

const scenario: Scenario = async ({ quick, redisUrl }) => {
  const invoices = quick ? 20_000 : 100_000;
  const paced = await run(invoices, redisUrl, true);
  const baseline = await run(invoices, redisUrl, false);
  const intervalMs = 60_000 / SCALE / BUDGET_PER_MINUTE;
  const bound = paced.requests * intervalMs;
  const notes = [
    `${paced.records} invoices (+${paced.rejects} rejected) in ${paced.requests} requests, ${(paced.elapsedMs / 1000).toFixed(1)} s; bound ${(bound / 1000).toFixed(1)} s (budget ${BUDGET_PER_MINUTE}/min, time ×${SCALE})`,
    `baseline without budget: ${baseline.requests} requests, ${baseline.sim429} × 429, ${(baseline.elapsedMs / 1000).toFixed(1)} s${baseline.error ? `, failed: ${baseline.error}` : ""}`,
  ];
  if (paced.error) notes.push(`paced run failed: ${paced.error}`);
  return {
    scenario: "polling",
    metrics: [
      {
        name: "elapsed ÷ (requests ÷ budget)",
        value: paced.elapsedMs / bound,
        unit: "ratio",
        target: { op: "<=", value: 1.1 },
      },
      {
        name: "429 responses (paced)",
        value: paced.sim429,
        unit: "count",
        target: { op: "==", value: 0 },
      },
      {
        name: "invoices read",
        value: paced.records,
        unit: "records",
        target: { op: ">=", value: invoices },
      },
      { name: "429 responses (baseline, no budget)", value: baseline.sim429, unit: "count" },
      {
        name: "baseline elapsed ÷ paced elapsed",
        value: baseline.elapsedMs / paced.elapsedMs,
        unit: "ratio",
      },
    ],
    notes,
  };
};

export default scenario;
