import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import type { BenchMetric, Scenario, ScenarioResult } from "./types.ts";

/**
 * `npm run bench [-- --quick] [-- --only delivery,polling] [-- --scale]`: runs every scenario in
 * bench/scenarios one after another (never in parallel: they would measure each other), prints
 * one table, and writes bench/results/<date>.json. Each scenario measures its baseline or bound
 * in the same run, so the figures are ratios that survive a noisy machine.
 */
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyIndex = args.indexOf("--only");
// `--scale` runs the scale scenario (minutes long, so not part of a plain `npm run bench`).
const only = args.includes("--scale")
  ? ["scale"]
  : onlyIndex >= 0
    ? (args[onlyIndex + 1] ?? "").split(",").filter(Boolean)
    : [];
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const dir = new URL("./scenarios/", import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, "")))
  .filter((f) => f !== "scale.ts" || only.includes("scale"))
  .sort();

function passes(m: BenchMetric): boolean | undefined {
  if (!m.target) return undefined;
  const { op, value } = m.target;
  switch (op) {
    case "<=":
      return m.value <= value;
    case ">=":
      return m.value >= value;
    case "<":
      return m.value < value;
    case ">":
      return m.value > value;
    case "==":
      return m.value === value;
  }
}

function fmt(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(3);
}

const results: (ScenarioResult & { error?: string; seconds: number })[] = [];
for (const file of files) {
  const name = file.replace(/\.ts$/, "");
  process.stderr.write(`bench: ${name}…\n`);
  const started = performance.now();
  try {
    const mod = (await import(new URL(file, dir).href)) as { default: Scenario };
    const result = await mod.default({ quick, redisUrl });
    results.push({ ...result, seconds: (performance.now() - started) / 1000 });
  } catch (err) {
    results.push({
      scenario: name,
      metrics: [],
      error: err instanceof Error ? err.message : String(err),
      seconds: (performance.now() - started) / 1000,
    });
  }
}

const rows: string[][] = [["scenario", "metric", "value", "unit", "target", "ok"]];
for (const r of results) {
  if (r.error) rows.push([r.scenario, "ERROR", r.error.slice(0, 60), "", "", "no"]);
  for (const m of r.metrics) {
    const ok = passes(m);
    rows.push([
      r.scenario,
      m.name,
      fmt(m.value),
      m.unit,
      m.target ? `${m.target.op} ${m.target.value}` : "",
      ok === undefined ? "" : ok ? "yes" : "NO",
    ]);
  }
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
for (const row of rows) {
  process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")}\n`);
}
for (const r of results)
  for (const note of r.notes ?? []) process.stdout.write(`${r.scenario}: ${note}\n`);

const stamp = new Date().toISOString();
const out = join(new URL("./results/", import.meta.url).pathname, `${stamp.slice(0, 10)}.json`);
mkdirSync(join(out, ".."), { recursive: true });
// A partial run (--only, --scale) replaces its own scenarios in the day's file and keeps the
// others' results (each row carries its own date).
const kept: unknown[] = [];
if (existsSync(out)) {
  const before = JSON.parse(readFileSync(out, "utf8")) as {
    date?: string;
    quick?: boolean;
    results?: { scenario: string; date?: string; quick?: boolean }[];
  };
  const rerun = new Set(results.map((r) => r.scenario));
  for (const r of before.results ?? []) {
    if (!rerun.has(r.scenario)) kept.push({ date: before.date, quick: before.quick, ...r });
  }
}
// A run of some scenarios (--only) replaces theirs in the day's file and keeps the others' rows.
const load = loadavg().map((n) => Number(n.toFixed(2)));
const stamped = results.map((r) => ({ ...r, date: stamp, quick, loadAverage: load }));
const earlier = existsSync(out)
  ? ((JSON.parse(readFileSync(out, "utf8")) as { results?: { scenario: string }[] }).results ?? [])
  : [];
const ran = new Set(stamped.map((r) => r.scenario));
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: stamp,
      quick,
      machine: {
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      results: [...earlier.filter((r) => !ran.has(r.scenario)), ...stamped].sort((a, b) =>
        a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : 0,
      ),
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`\nwritten ${out}\n`);
const failed = results.some((r) => r.error || r.metrics.some((m) => passes(m) === false));
process.exitCode = failed ? 1 : 0;
