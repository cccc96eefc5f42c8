import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readSources, run } from "../../scripts/check-imports.ts";
import {
  check,
  cycles,
  type ImportEdge,
  parseAllowlist,
  specifiers,
} from "../../scripts/import-graph.ts";

const repo = join(import.meta.dirname, "../..");

// A small tree shaped like ours: rules and delivery import alerts and shared, nothing imports back.
const CLEAN: Record<string, string> = {
  "src/shared/money.ts": "export const cents = 100;\n",
  "src/alerts/alert.ts": 'import { cents } from "../shared/money.ts";\nexport const k = cents;\n',
  "src/rules/owner.ts":
    'import type { Alert } from "../alerts/alert.ts";\nexport type A = Alert;\n',
  "src/delivery/queue.ts": 'import {\n  k,\n} from "../alerts/alert.ts";\nexport const q = k;\n',
  "src/slack/post.ts": 'export { q } from "../delivery/queue.ts";\n',
};

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "check-imports-"));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("import-rule check", () => {
  it("passes a layered tree and prints its folder graph", () => {
    const { ok, report } = run(tree(CLEAN), undefined);
    expect(report).toContain("  delivery → alerts");
    expect(report).toContain("  slack → delivery");
    expect(ok).toBe(true);
  });

  it("fails on a deliberately added back-import: a type import from rules into slack", () => {
    const root = tree({
      ...CLEAN,
      "src/rules/render.ts":
        'import type { q } from "../slack/post.ts";\nexport type R = typeof q;\n',
    });
    const { ok, report } = run(root, undefined);
    expect(ok).toBe(false);
    expect(report).toContain("✗ layer: rules → slack");
    // rules → slack → delivery → alerts is no cycle, but alerts → delivery would close one.
    expect(report).not.toContain("✗ cycle");
  });

  it("fails on a back-import from the delivery engine into a destination (slack, webhook)", () => {
    const root = tree({
      ...CLEAN,
      "src/delivery/render.ts":
        'import type { Blocks } from "../slack/blocks.ts";\nexport type R = Blocks;\n',
      "src/slack/blocks.ts": "export type Blocks = string[];\n",
      "src/webhook/body.ts": 'import { q } from "../delivery/queue.ts";\nexport const b = q;\n',
      "src/delivery/sign.ts": 'import { b } from "../webhook/body.ts";\nexport const s = b;\n',
    });
    const { ok, report } = run(root, undefined);
    expect(ok).toBe(false);
    expect(report).toContain(
      "✗ layer: delivery → slack: the delivery engine may not import a destination (slack): src/delivery/render.ts → src/slack/blocks.ts",
    );
    expect(report).toContain("✗ layer: delivery → webhook");
    // Without the back-imports the same tree passes.
    const clean = tree({
      ...CLEAN,
      "src/webhook/body.ts": 'import { q } from "../delivery/queue.ts";\nexport const b = q;\n',
    });
    expect(run(clean, undefined).ok).toBe(true);
  });

  it("fails on a cycle between folders, naming the files on each edge", () => {
    const root = tree({
      ...CLEAN,
      "src/shared/fmt.ts": 'import { q } from "../delivery/queue.ts";\nexport const f = q;\n',
    });
    const { ok, report } = run(root, undefined);
    expect(ok).toBe(false);
    expect(report).toContain(
      "✗ cycle: shared → delivery: cycle {alerts, delivery, shared} through src/shared/fmt.ts → src/delivery/queue.ts",
    );
  });

  it("fails when src imports sandbox, test or bench", () => {
    const root = tree({
      ...CLEAN,
      "src/rules/sim.ts": 'import "../../sandbox/infor-sim/main.ts";\n',
    });
    const { ok, report } = run(root, undefined);
    expect(ok).toBe(false);
    expect(report).toContain("✗ forbidden-root: src/rules/sim.ts → sandbox");
  });

  it("takes listed edges out, and fails on a listed edge that is gone (the list only shrinks)", () => {
    const root = tree({
      ...CLEAN,
      "src/rules/render.ts":
        'import type { q } from "../slack/post.ts";\nexport type R = typeof q;\n',
    });
    const allow = join(root, "allow.txt");
    writeFileSync(allow, "rules → slack  # to be removed\n");
    expect(run(root, allow).ok).toBe(true);
    writeFileSync(allow, "rules → slack\naudit -> delivery\n");
    const stale = run(root, allow);
    expect(stale.ok).toBe(false);
    expect(stale.report).toContain(
      "stale allowlist entry (the import is gone, delete the line): audit → delivery",
    );
  });

  it("reads imports only from code, not from comments", () => {
    const text = [
      '/** e.g. import { x } from "../slack/app.ts" */',
      '// import "../delivery/queue.ts";',
      'const u = new URL("./x.lua", import.meta.url); // not an import',
      'export type { A } from "../alerts/alert.ts";',
      'const m = await import("../cli/flags.ts");',
    ].join("\n");
    expect(specifiers(text)).toEqual(["../alerts/alert.ts", "../cli/flags.ts"]);
  });

  it("rejects a malformed allowlist line", () => {
    expect(() => parseAllowlist("rules slack\n")).toThrow(
      'import allowlist: bad line "rules slack"',
    );
  });

  it("passes on this repository with its allowlist", () => {
    const { ok, report } = run(repo, join(repo, "scripts/import-allowlist.txt"));
    expect(report).toContain("import rules: ok");
    expect(ok).toBe(true);
    expect(check([], new Set()).violations).toEqual([]);
  });

  it("finds no file-level cycle inside src/delivery (failure.ts ↔ processor.ts was one)", () => {
    const edges: ImportEdge[] = [];
    for (const file of readSources(repo).filter((f) => f.path.startsWith("src/delivery/"))) {
      for (const spec of specifiers(file.text)) {
        if (!spec.startsWith(".")) continue;
        const to = posix.normalize(posix.join(posix.dirname(file.path), spec));
        if (to.startsWith("src/delivery/")) edges.push({ from: file.path, to, files: [] });
      }
    }
    expect(edges.length).toBeGreaterThan(10);
    expect(cycles(edges)).toEqual([]);
  });
});
