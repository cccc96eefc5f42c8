import type { ChaosReport } from "./run.ts";

/** The printed table: what a reader checks first (lost, duplicated) on top. */
export function formatReport(r: ChaosReport): string {
  const c = r.counts;
  const f = r.fired;
  const rows: [string, string][] = [
    ["expected", String(c.expected)],
    ["delivered", String(c.delivered)],
    [
      r.finished === "complete" ? "lost" : "lost (or still on the way: run ended early)",
      String(c.lost),
    ],
    ["duplicated", String(c.duplicated)],
    ["quarantined", String(c.quarantined)],
    ["audit entries missing", String(c.auditMissing)],
    ["alert messages (record + exception)", String(c.alertMessages)],
    ["misrouted", String(c.misrouted)],
    ["secrets found in logs/messages", String(r.secretsFound)],
    ["run time", `${r.seconds.toFixed(1)} s (${r.finished})`],
    ["worker SIGKILLs", String(f.workerKills)],
    ["redis restarts", String(f.redisRestarts)],
    ["slack 500s injected", String(f.slack500)],
    ["slack stored-then-dropped", String(f.slackAmbiguous)],
    ["ION throttle bursts / 429s", `${f.throttleBursts} / ${f.ion429}`],
    ["ION token expiries / 401s", `${f.tokenExpiries} / ${f.ion401}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    `chaos: ${r.options.records} records, ${r.options.workers} workers + 1 scheduler, seed ${r.options.seed}, time scale ${r.options.timeScale}, tag ${r.tag}`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ];
  if (c.lostNumbers.length > 0) lines.push(`  lost: ${c.lostNumbers.slice(0, 20).join(", ")}`);
  if (c.duplicatedNumbers.length > 0) {
    lines.push(`  duplicated: ${c.duplicatedNumbers.slice(0, 20).join(", ")}`);
  }
  for (const m of c.misroutedExamples) lines.push(`  misrouted: ${m}`);
  for (const m of c.auditMissingExamples) lines.push(`  audit gap: ${m}`);
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  return `${lines.join("\n")}\n`;
}

/** Non-zero exit when anything was lost or doubled, or a secret showed up. */
export function failed(r: ChaosReport): boolean {
  return r.counts.lost > 0 || r.counts.duplicated > 0 || r.secretsFound > 0;
}
