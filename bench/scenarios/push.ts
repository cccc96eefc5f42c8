import { pino } from "pino";
import { pushIngest } from "../../src/app/push.ts";
import { pushRoute } from "../../src/ops/push/handler.ts";
import { startOpsServer } from "../../src/ops/routes.ts";
import { runPoll } from "../../src/sync/poll.ts";
import { applySchedules } from "../../src/sync/schedules.ts";
import { createSyncWorker } from "../../src/sync/worker.ts";
import { benchSupplier, percentile, startPollStack } from "../support/poll-stack.ts";
import type { Scenario } from "../types.ts";

/**
 * Push from M3: a new invoice batch in the ION simulator → the simulator's Event Subscriber web
 * service POSTs the FAPIBH event to /m3/events → a push read of that one batch on the sync
 * worker → alert sink → delivery → a message in the Slack emulator. Measured in the same run as
 * the poll-only path (events off, same poll schedule) as the baseline. 10 % of the events are
 * dropped (seeded): those invoices must still arrive, through the scheduled poll (0 lost).
 * Changes are spaced so the channel is never saturated (one message each, paced 1/s).
 */
const TOKEN = "bench-push-token-0123456789abcdef";

const scenario: Scenario = async ({ quick, redisUrl }) => {
  const intervalMs = quick ? 2_000 : 5_000;
  const changes = quick ? 8 : 30;
  const spacingMs = 1_500;
  const prefix = `bench:push:${Date.now()}:`;
  const notes: string[] = [];

  const { sim, emu, deps, queue, workerConn, bullPrefix, close } = await startPollStack(
    redisUrl,
    prefix,
  );
  const schedule = {
    tenant: sim.tenant,
    company: "100",
    division: "AAA",
    entity: "supplier_invoice" as const,
    everyMs: intervalMs,
    pageSize: 200,
  };
  const seen = new Map<string, number>();
  const unsubscribe = emu.inspect.subscribe((e) => {
    if (e.type !== "message") return;
    const text = JSON.stringify(e.message);
    for (const m of text.matchAll(/PB-[A-Z]+-\d+/g)) {
      if (!seen.has(m[0])) seen.set(m[0], performance.now());
    }
  });
  const server = await startOpsServer(
    [
      pushRoute({
        auth: { bearerTokens: [TOKEN] },
        ingest: pushIngest({
          queue,
          schedules: [schedule],
          tenant: sim.tenant,
          logger: pino({ level: "silent" }),
        }),
      }),
    ],
    { host: "127.0.0.1", port: 0 },
  );
  const supplier = benchSupplier(sim, "PUSH01", "Push Supplies AB");
  let worker: ReturnType<typeof createSyncWorker> | undefined;
  const made = { poll: new Map<string, number>(), push: new Map<string, number>() };
  const droppedSinos = new Set<string>();

  const run = async (phase: "poll" | "push") => {
    const tag = phase === "poll" ? "POLL" : "PUSH";
    for (let i = 0; i < changes; i++) {
      const sino = `PB-${tag}-${i + 1}`;
      const before = sim.control.eventCounters().dropped;
      const at = performance.now();
      sim.control.upsert("invoice", { SUNO: supplier, SINO: sino, CUAM: "99.50" });
      made[phase].set(sino, at);
      if (sim.control.eventCounters().dropped > before) droppedSinos.add(sino);
      await new Promise((r) => setTimeout(r, spacingMs + Math.random() * 300));
    }
    const deadline = performance.now() + intervalMs * 4 + 10_000;
    while (performance.now() < deadline && [...made[phase].keys()].some((k) => !seen.has(k))) {
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  try {
    await runPoll(deps, { schedule });
    worker = createSyncWorker({ ...deps, connection: workerConn, bullPrefix });
    await applySchedules(queue, [schedule]);
    await run("poll");
    sim.control.configureEvents({
      url: `http://127.0.0.1:${server.port}/m3/events`,
      bearerToken: TOKEN,
      dropEventShare: 0.1,
      seed: 1, // drops 1 of the first 8 events (--quick) and 3 of 30
    });
    await run("push");
  } finally {
    sim.control.configureEvents({ url: "" });
    unsubscribe();
    await worker?.close();
    await server.close();
    await close();
  }

  const latencies = (m: Map<string, number>, keep: (sino: string) => boolean) =>
    [...m]
      .filter(([k]) => keep(k))
      .map(([k, at]) => (seen.get(k) ?? Number.NaN) - at)
      .sort((a, b) => a - b);
  const pctOf = percentile;
  const poll = latencies(made.poll, () => true);
  const pushed = latencies(made.push, (s) => !droppedSinos.has(s));
  const caught = latencies(made.push, (s) => droppedSinos.has(s));
  const lost = [...poll, ...pushed, ...caught].filter((l) => Number.isNaN(l)).length;
  const p95Push = pctOf(pushed, 95);
  const p95Poll = pctOf(poll, 95);
  notes.push(
    `${changes} new invoices per phase, ${spacingMs / 1000} s apart, poll every ${intervalMs / 1000} s in both phases; push phase: ${droppedSinos.size} of ${changes} events dropped (seeded 10 %)`,
  );
  if (lost > 0) notes.push(`${lost} invoices never reached the emulator`);
  return {
    scenario: "push",
    metrics: [
      {
        name: "p95 M3 event→message (pushed)",
        value: p95Push / 1000,
        unit: "s",
        target: { op: "<", value: 1 },
      },
      { name: "p50 M3 event→message (pushed)", value: pctOf(pushed, 50) / 1000, unit: "s" },
      { name: "p95 change→message, poll only (baseline)", value: p95Poll / 1000, unit: "s" },
      { name: "p95 push / p95 poll only", value: p95Push / p95Poll, unit: "ratio" },
      { name: "dropped events", value: droppedSinos.size, unit: "count" },
      {
        name: "max dropped event→message (caught by poll)",
        value: (caught.at(-1) ?? Number.NaN) / 1000,
        unit: "s",
      },
      { name: "lost (10 % dropped)", value: lost, unit: "count", target: { op: "==", value: 0 } },
    ],
    notes,
  };
};

export default scenario;
