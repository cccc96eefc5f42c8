/**
 * `npm run chaos [-- --short] [-- --seed N] [-- --records N] [-- --mode app|serve] [-- --push [share]]`: one bounded
 * chaos scenario on 127.0.0.1 (see bench/chaos/run.ts). Prints expected, delivered, lost,
 * duplicated, quarantined and audit entries missing, writes bench/chaos/results/<date>.json, and
 * exits 1 if anything was lost or duplicated.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { type ChaosOptions, FULL, SHORT } from "./chaos/options.ts";
import { failed, formatReport } from "./chaos/report.ts";
import { runChaos } from "./chaos/run.ts";

if (process.argv.includes("--approvals")) {
  // The approvals variant (bench/chaos/approvals): its own driver, report and exit code.
  await import("./chaos/approvals/main.ts");
  process.exit();
}

const args = process.argv.slice(2);
const value = (flag: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const base = args.includes("--short") ? SHORT : FULL;
const options: ChaosOptions = {
  ...base,
  verbose: !args.includes("--quiet"),
  ...(value("--seed") ? { seed: Number(value("--seed")) } : {}),
  ...(value("--records") ? { records: Number(value("--records")) } : {}),
  ...(value("--mode") === "serve" ? { mode: "serve" as const } : {}),
  // `--time-limit S`: the hard bound in seconds (a loaded machine needs more than SHORT's 240 s).
  ...(value("--time-limit") ? { timeLimitMs: Number(value("--time-limit")) * 1000 } : {}),
  // `--push [share]`: M3 event push on, the simulator dropping `share` of its events (0.1).
  ...(args.includes("--push") ? { pushDropShare: pushShare() } : {}),
};

function pushShare(): number {
  const v = value("--push");
  const share = v === undefined || v.startsWith("--") ? 0.1 : Number(v);
  if (!(share >= 0 && share <= 1)) throw new Error("--push takes a share from 0 to 1");
  return share;
}

const report = await runChaos(options);
process.stdout.write(formatReport(report));
const stamp = new Date().toISOString();
const out = join(
  new URL("./chaos/results/", import.meta.url).pathname,
  // One file per day and workload, so a short or serve run does not overwrite the full run's.
  `${stamp.slice(0, 10)}${options.records === FULL.records && options.mode === "app" ? "" : `-${options.records}-${options.mode}`}${options.pushDropShare === undefined ? "" : "-push"}.json`,
);
mkdirSync(join(out, ".."), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: stamp,
      machine: {
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      ...report,
      counts: { ...report.counts, lostNumbers: report.counts.lostNumbers.slice(0, 100) },
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`written ${out}\n`);
process.exitCode = failed(report) ? 1 : 0;
