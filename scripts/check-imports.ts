/**
 * CI's import-rule check: `node scripts/check-imports.ts [--allow FILE] [--graph]`.
 * Fails on cycles between top-level `src/` folders (type imports count), on `src` importing
 * sandbox/, test/ or bench/, and on rules/sync/infor/audit/alerts importing slack or delivery.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { check, parseAllowlist, renderGraph, type SourceFile } from "./import-graph.ts";

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return walk(p);
    return /\.(ts|mts|js|mjs)$/.test(d.name) ? [p] : [];
  });
}

export function readSources(root: string): SourceFile[] {
  return walk(join(root, "src")).map((p) => ({
    path: relative(root, p).split("\\").join("/"),
    text: readFileSync(p, "utf8"),
  }));
}

export function run(root: string, allowFile: string | undefined): { ok: boolean; report: string } {
  const allow =
    allowFile !== undefined && existsSync(allowFile)
      ? parseAllowlist(readFileSync(allowFile, "utf8"))
      : new Set<string>();
  const result = check(readSources(root), allow);
  const lines = [
    `top-level import graph of src/ (type imports included):`,
    renderGraph(result.edges),
  ];
  if (allow.size > 0) lines.push(`allowlisted (to be removed): ${[...allow].join("; ")}`);
  for (const v of result.violations) lines.push(`✗ ${v.rule}: ${v.edge}: ${v.detail}`);
  for (const s of result.stale)
    lines.push(`✗ stale allowlist entry (the import is gone, delete the line): ${s}`);
  const ok = result.violations.length === 0 && result.stale.length === 0;
  lines.push(ok ? "import rules: ok" : "import rules: FAILED");
  return { ok, report: lines.join("\n") };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--allow");
  const root = join(import.meta.dirname, "..");
  const allowFile = at >= 0 ? args[at + 1] : join(root, "scripts/import-allowlist.txt");
  const { ok, report } = run(root, allowFile);
  console.log(report);
  process.exit(ok ? 0 : 1);
}
