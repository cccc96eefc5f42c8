import { fileURLToPath } from "node:url";
import { slackLimits } from "../../sandbox/slack-emu/limits.ts";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { type Alert, createAlert } from "../../src/alerts/alert.ts";
import { payment, seedWithChannels, skewedWorkload } from "../../test/delivery/emu.ts";
import { type NaiveRun, runNaiveLoad, runPacedLoad } from "../delivery-load.ts";
import type { BenchMetric, Scenario } from "../types.ts";

/**
 * Pacing against limits we do not know: the emulator set to a burst of 1 and of 3 per channel
 * (Slack publishes none), and edits (chat.update, Tier 3) mixed with posts. 3 worker processes,
 * 20 channels, one channel gets a fifth of the alerts. Drain is compared with the per-channel
 * bound (the hottest channel's count at one per second); 429s are counted by the emulator. Each
 * row has a naive WebClient baseline (SDK retries) run to completion in the same run: its drain
 * is measured, never projected. A generous bound (NAIVE_BOUND × the row's bound) keeps the bench
 * finite; reaching it, or the client giving up on some messages, is a failure of the baseline,
 * reported as such (drain ratio infinite).
 */
const NAIVE_BOUND = 10;
const CHANNELS = 20;
const WORKERS = 3;
const CONCURRENCY = 8;
const TIME_SCALE = 10;
/** Edits run faster: 2,000 chat.update at Tier 3 (50/min) take 4 min at TIME_SCALE. */
const EDIT_TIME_SCALE = 40;
const NAIVE = fileURLToPath(new URL("../../test/delivery/fixtures/naive.ts", import.meta.url));
const NAIVE_EDITS = fileURLToPath(
  new URL("../../test/delivery/fixtures/naive-edits.ts", import.meta.url),
);

function emuAt(timeScale: number, channelBurst: 0 | 1 | 2 | 3): Promise<SlackEmu> {
  return startSlackEmu({
    timeScale,
    seed: seedWithChannels(CHANNELS),
    limits: slackLimits({ channelBurst }),
  });
}

/** A baseline that did not finish is a failure: said so, with no drain time projected. */
function naiveFailure(naive: NaiveRun, boundS: number): string {
  return naive.failure === "gave_up"
    ? `FAILED: the client stopped after ${naive.elapsedS.toFixed(0)} s with messages given up`
    : `FAILED: the ${(boundS * NAIVE_BOUND).toFixed(0)} s bound (${NAIVE_BOUND} × the bound) ran out; no drain time is projected`;
}

const per100 = (n: number, of: number) =>
  of > 0 ? (100 * n) / of : n > 0 ? Number.POSITIVE_INFINITY : 0;

async function burstRows(
  redisUrl: string,
  burst: 1 | 3,
  total: number,
  notes: string[],
): Promise<BenchMetric[]> {
  const hot = total / 5;
  const boundS = hot / TIME_SCALE;
  const alerts = skewedWorkload(total, hot, CHANNELS);
  const config = { timeScale: TIME_SCALE, digests: { enabled: false } };
  const emu = await emuAt(TIME_SCALE, burst);
  let paced: Awaited<ReturnType<typeof runPacedLoad>>;
  let pacedLimited: number;
  try {
    paced = await runPacedLoad({
      redisUrl,
      emu,
      name: `pacing-b${burst}`,
      workers: WORKERS,
      concurrency: CONCURRENCY,
      config,
      batches: [{ alerts }],
      done: (w) => w.posts >= total,
      capMs: boundS * 3000,
    });
    pacedLimited = emu.inspect.rateLimited().total;
  } finally {
    await emu.close();
  }
  const emu2 = await emuAt(TIME_SCALE, burst);
  let naive: Awaited<ReturnType<typeof runNaiveLoad>>;
  let naiveLimited: number;
  try {
    naive = await runNaiveLoad({
      emu: emu2,
      file: NAIVE,
      env: {
        NAIVE_TOTAL: String(total),
        NAIVE_HOT: String(hot),
        NAIVE_CHANNELS: String(CHANNELS),
        NAIVE_CONCURRENCY: String(WORKERS * CONCURRENCY),
      },
      done: (w) => w.posts >= total,
      capMs: boundS * NAIVE_BOUND * 1000,
    });
    naiveLimited = emu2.inspect.rateLimited().total;
  } finally {
    await emu2.close();
  }
  if (!paced.finished)
    notes.push(`burst ${burst}: paced run did not finish: ${paced.posts}/${total}`);
  if (!naive.finished)
    notes.push(
      `burst ${burst}: naive ${naiveFailure(naive, boundS)}, ${naive.posts}/${total} posted`,
    );
  notes.push(
    `burst ${burst}: bound ${boundS.toFixed(1)} s (${hot} posts in the hottest channel at ${TIME_SCALE}/s); paced ${paced.drainS.toFixed(1)} s, ${pacedLimited} × 429; naive ${naive.drainS.toFixed(1)} s, ${naiveLimited} × 429`,
  );
  return [
    {
      name: `burst ${burst}: paced drain / bound`,
      value: paced.finished ? paced.drainS / boundS : Number.POSITIVE_INFINITY,
      unit: "ratio",
      target: { op: "<=", value: burst === 1 ? 1.1 : 1.05 },
    },
    {
      name: `burst ${burst}: paced 429s per 100 posts`,
      value: per100(pacedLimited, paced.posts),
      unit: "per 100",
      target: { op: "<=", value: 1 },
    },
    {
      name: `burst ${burst}: naive drain / bound`,
      value: naive.finished ? naive.drainS / boundS : Number.POSITIVE_INFINITY,
      unit: "ratio",
    },
    {
      name: `burst ${burst}: naive 429s per 100 posts`,
      value: per100(naiveLimited, naive.posts),
      unit: "per 100",
    },
  ];
}

/** New records, and updates of the first `edits` of them interleaved `lag` alerts later. */
function editsWorkload(total: number, edits: number, lag: number): Alert[] {
  const news = skewedWorkload(total, total / 5, CHANNELS);
  const updates = news.slice(0, edits).map((a, i) =>
    createAlert({
      kind: "record.updated",
      channel: a.channel,
      record: payment(i + 1, `${(i % 97) + 1}.75`),
      changes: [{ field: "Amount", from: "old", to: "new" }],
    }),
  );
  const out: Alert[] = [];
  news.forEach((a, i) => {
    out.push(a);
    const u = updates[i - lag];
    if (u) out.push(u);
  });
  out.push(...updates.slice(Math.max(0, total - lag)));
  return out;
}

async function editRows(
  redisUrl: string,
  total: number,
  edits: number,
  notes: string[],
): Promise<BenchMetric[]> {
  const burst = 1;
  const alerts = editsWorkload(total, edits, Math.min(200, Math.floor(total / 10)));
  const expected = (w: { posts: number; edits: number }) =>
    w.posts >= total + edits && w.edits >= edits;
  // Tier 3: 50 per minute, scaled; the hottest channel posts its records and their replies.
  const boundS = Math.max(edits / ((50 / 60) * EDIT_TIME_SCALE), (2 * total) / 5 / EDIT_TIME_SCALE);
  const config = { timeScale: EDIT_TIME_SCALE, digests: { enabled: false } };
  const emu = await emuAt(EDIT_TIME_SCALE, burst);
  let paced: Awaited<ReturnType<typeof runPacedLoad>>;
  let pl: Record<string, number>;
  try {
    paced = await runPacedLoad({
      redisUrl,
      emu,
      name: "pacing-edits",
      workers: WORKERS,
      concurrency: CONCURRENCY,
      config,
      batches: [{ alerts }],
      done: expected,
      capMs: boundS * 4000,
    });
    pl = emu.inspect.rateLimited().byMethod;
  } finally {
    await emu.close();
  }
  const emu2 = await emuAt(EDIT_TIME_SCALE, burst);
  let naive: Awaited<ReturnType<typeof runNaiveLoad>>;
  let nl: Record<string, number>;
  try {
    naive = await runNaiveLoad({
      emu: emu2,
      file: NAIVE_EDITS,
      env: {
        NAIVE_TOTAL: String(total),
        NAIVE_HOT: String(total / 5),
        NAIVE_CHANNELS: String(CHANNELS),
        NAIVE_EDITS: String(edits),
        NAIVE_CONCURRENCY: String(WORKERS * CONCURRENCY),
      },
      done: expected,
      capMs: boundS * NAIVE_BOUND * 1000,
    });
    nl = emu2.inspect.rateLimited().byMethod;
  } finally {
    await emu2.close();
  }
  const posts429 = (m: Record<string, number>) => m["chat.postMessage"] ?? 0;
  const edits429 = (m: Record<string, number>) => m["chat.update"] ?? 0;
  if (!paced.finished)
    notes.push(`edits: paced run did not finish: ${paced.posts} posts, ${paced.edits} edits`);
  if (!naive.finished)
    notes.push(
      `edits: naive ${naiveFailure(naive, boundS)}, ${naive.posts} posts, ${naive.edits} edits`,
    );
  notes.push(
    `edits: ${total} posts + ${edits} edits (each edit also posts its thread reply), emulator burst ${burst}, timeScale ${EDIT_TIME_SCALE}; bound ${boundS.toFixed(1)} s; paced ${paced.drainS.toFixed(1)} s (${posts429(pl)} + ${edits429(pl)} × 429), naive ${naive.drainS.toFixed(1)} s (${posts429(nl)} + ${edits429(nl)} × 429)`,
  );
  return [
    {
      name: "edits+posts: paced chat.postMessage 429s per 100",
      value: per100(posts429(pl), paced.posts),
      unit: "per 100",
      target: { op: "<=", value: 1 },
    },
    {
      name: "edits+posts: paced chat.update 429s per 100",
      value: per100(edits429(pl), paced.edits),
      unit: "per 100",
      target: { op: "<=", value: 1 },
    },
    {
      name: "edits+posts: paced drain / bound",
      value: paced.finished ? paced.drainS / boundS : Number.POSITIVE_INFINITY,
      unit: "ratio",
    },
    {
      name: "edits+posts: naive chat.postMessage 429s per 100",
      value: per100(posts429(nl), naive.posts),
      unit: "per 100",
    },
    {
      name: "edits+posts: naive chat.update 429s per 100",
      value: per100(edits429(nl), naive.edits),
      unit: "per 100",
    },
    {
      name: "edits+posts: naive drain / bound",
      value: naive.finished ? naive.drainS / boundS : Number.POSITIVE_INFINITY,
      unit: "ratio",
    },
  ];
}

const scenario: Scenario = async ({ quick, redisUrl }) => {
  const total = quick ? 300 : 2000;
  const edits = quick ? 150 : 2000;
  const notes: string[] = [];
  const only = (process.env.PACING_ROWS ?? "b1,b3,edits").split(",");
  const metrics: BenchMetric[] = [];
  if (only.includes("b1")) metrics.push(...(await burstRows(redisUrl, 1, total, notes)));
  if (only.includes("b3")) metrics.push(...(await burstRows(redisUrl, 3, total, notes)));
  if (only.includes("edits")) metrics.push(...(await editRows(redisUrl, total, edits, notes)));
  return { scenario: "pacing", metrics, notes };
};

export default scenario;
