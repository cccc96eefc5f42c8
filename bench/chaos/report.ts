import { failures, LEDGER_KINDS } from "./compare.ts";
import type { ChaosReport } from "./run.ts";
import { webhookFailures } from "./webhook-ledger.ts";

/** The printed table: what a reader checks first (lost, duplicated) on top, then the ledger per kind. */
export function formatReport(r: ChaosReport): string {
  const c = r.counts;
  const f = r.fired;
  const rows: [string, string][] = [
    ["expected invoices", String(c.expected)],
    ["delivered (record alert in Slack)", String(c.delivered)],
    [
      r.finished === "complete" ? "lost" : "lost (or still on the way: run ended early)",
      String(c.lost),
    ],
    ["duplicated", String(c.duplicated)],
    ["  of which across kinds", String(c.duplicatedAcrossKinds)],
    ["  of which by content (no metadata)", String(c.duplicatedByContent)],
    ["messages without metadata", String(c.withoutMetadata)],
    ["out-of-order edits/replies", String(c.outOfOrder)],
    ["unexpected alerts", String(c.unexpected)],
    ["quarantined", String(c.quarantined)],
    ["audit entries missing", String(c.auditMissing)],
    ["misrouted", String(c.misrouted)],
    ["alert messages (posts + replies)", String(c.alertMessages)],
    ["delivery queue drained", c.drained ? "yes" : "NO"],
    ["secrets found in logs/messages", String(r.secretsFound)],
    ["run time", `${r.seconds.toFixed(1)} s (${r.finished})`],
    ["worker SIGKILLs", String(f.workerKills)],
    ["redis restarts", String(f.redisRestarts)],
    ["slack 500s injected", String(f.slack500)],
    ["slack stored-then-dropped", String(f.slackAmbiguous)],
    ["webhook 500s / stored-then-dropped", `${f.webhook500} / ${f.webhookDropped}`],
    ...(r.push
      ? ([
          [
            `M3 event push (${Math.round(r.push.dropShare * 100)} % dropped)`,
            `${r.push.emitted} sent / ${r.push.dropped} dropped / ${r.push.failed} failed to send`,
          ],
        ] as [string, string][])
      : []),
    ["ION throttle bursts / 429s", `${f.throttleBursts} / ${f.ion429}`],
    ["ION token expiries / 401s", `${f.tokenExpiries} / ${f.ion401}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    `chaos: ${r.options.records} records, ${r.options.workers} workers + 1 scheduler, seed ${r.options.seed}, time scale ${r.options.timeScale}, tag ${r.tag}`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    "  ledger per alert kind: expected / delivered / lost / duplicated / misrouted / audit missing",
    ...LEDGER_KINDS.map((k) => {
      const t = c.perKind[k];
      return `    ${k.padEnd(20)} ${[t.expected, t.delivered, t.lost, t.duplicated, t.misrouted, t.auditMissing].join(" / ")}`;
    }),
    (() => {
      const t = c.threadReplies;
      // the same replies as the later steps above, counted by their own ids
      return `    ${"thread replies".padEnd(20)} ${[t.expected, t.delivered, t.lost, t.duplicated, t.misrouted, t.auditMissing].join(" / ")}`;
    })(),
  ];
  const w = r.webhook;
  lines.push(
    `  webhook receiver (signed, mirrored routes): expected ${w.expected} / delivered ${w.delivered} / lost ${w.lost} / duplicated ${w.duplicated} / unexpected ${w.unexpected} / signatures refused ${w.refused}`,
    ...Object.entries(w.perKind).map(
      ([k, t]) =>
        `    ${k.padEnd(20)} ${[t.expected, t.delivered, t.lost, t.duplicated].join(" / ")}`,
    ),
  );
  if (w.lostIds.length > 0) lines.push(`  webhook lost: ${w.lostIds.slice(0, 20).join(", ")}`);
  if (w.duplicatedIds.length > 0) {
    lines.push(`  webhook duplicated: ${w.duplicatedIds.slice(0, 20).join(", ")}`);
  }
  if (c.lostNumbers.length > 0) lines.push(`  lost: ${c.lostNumbers.slice(0, 20).join(", ")}`);
  if (c.duplicatedNumbers.length > 0) {
    lines.push(`  duplicated: ${c.duplicatedNumbers.slice(0, 20).join(", ")}`);
  }
  for (const m of c.examples) lines.push(`  ${m}`);
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  const failed = [...failures(c), ...webhookFailures(w)];
  lines.push(
    failed.length > 0 ? `  FAILED: ${failed.join(", ")}` : "  every expected alert accounted for",
  );
  return `${lines.join("\n")}\n`;
}

/** Non-zero exit when the ledger does not balance (see failures()), or a secret showed up. */
export function failed(r: ChaosReport): boolean {
  return (
    failures(r.counts).length > 0 || webhookFailures(r.webhook).length > 0 || r.secretsFound > 0
  );
}
