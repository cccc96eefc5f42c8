/**
 * `npm run chaos -- --approvals [--short] [--seed N] [--records N] [--poll-ms N] [--tiers S]
 * [--m3-over S]`: the approvals variant. Full: 2,000 invoices, 30 % decided in M3 meanwhile,
 * 5 worker SIGKILLs, 1 % lost approve answers. Exits 1 on any divergence, double decision or
 * duplicated audit entry. Needs REDIS_URL (its keys get a prefix).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type ApprovalChaosOptions, runApprovalChaos } from "./run.ts";

const args = process.argv.slice(2);
const value = (flag: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const short = args.includes("--short");
const dir = new URL("../results/", import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const options: ApprovalChaosOptions = {
  invoices: Number(value("--records") ?? (short ? 200 : 2000)),
  m3Share: 0.3,
  kills: short ? 2 : 5,
  workers: 3,
  dropRate: 0.01,
  pollMs: Number(value("--poll-ms") ?? 2000),
  // `--tiers S`: Slack's method tiers on, emulator and pacing on a clock S times faster.
  ...(value("--tiers") ? { tiersScale: Number(value("--tiers")) } : {}),
  // `--m3-over S`: the M3 share spread over S seconds instead of one burst at the start.
  ...(value("--m3-over") ? { m3OverMs: Number(value("--m3-over")) * 1000 } : {}),
  seed: Number(value("--seed") ?? 21),
};
const out = join(
  dir,
  // One file per day and workload: a --tiers or --m3-over run does not overwrite the plain one.
  `${new Date().toISOString().slice(0, 10)}-approvals-${options.invoices}${
    options.tiersScale ? `-tiers${options.tiersScale}` : ""
  }${options.m3OverMs ? `-m3over${options.m3OverMs / 1000}` : ""}.json`,
);
const report = await runApprovalChaos({ ...options, out });
process.stdout.write(`${JSON.stringify(report, null, 2)}\nwritten ${out}\n`);
process.exitCode =
  report.divergences > 0 || report.doubleDecisions > 0 || report.auditDuplicates > 0 ? 1 : 0;
