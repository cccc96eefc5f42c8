/**
 * The import graph of `src/` folded to its top-level folders, and the layer rules it must obey.
 * Pure: it reads nothing itself; `check-imports.ts` feeds it the files.
 */
import { posix } from "node:path";

/** Folders below everything that sends: they may not import a destination or the delivery engine. */
export const DESTINATION_FREE = ["rules", "sync", "infor", "audit", "alerts"] as const;
export const DESTINATION_FOLDERS = ["slack", "webhook", "delivery"] as const;
/** The delivery engine is generic over destinations: it imports none of them (they import it). */
export const ENGINE = "delivery";
export const DESTINATIONS = ["slack", "webhook"] as const;
/** Repository folders that production code never imports. */
export const FORBIDDEN_ROOTS = ["sandbox", "test", "bench"] as const;

export interface SourceFile {
  /** Repository-relative, forward slashes: `src/rules/owner.ts`. */
  path: string;
  text: string;
}

export interface ImportEdge {
  from: string;
  to: string;
  /** Files behind the edge, `importer → imported`, for the message. */
  files: string[];
}

export interface Violation {
  rule: "cycle" | "forbidden-root" | "layer";
  /** `importer → imported` as folders (or `src/x.ts → sandbox` for a forbidden root). */
  edge: string;
  detail: string;
}

// Every module specifier in `import … from`, `export … from`, bare `import "x"` and `import("x")`.
// Statements start a line; comments are blanked first so an example in a comment is no import.
const STATIC = /^\s*(?:import|export)\b[^;"'`]*?(?:from\s*)?["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

function stripComments(text: string): string {
  // Block comments and whole-line `//` comments; an inline `//` may sit inside a string (a URL).
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .replace(/^\s*\/\/.*$/gm, "");
}

export function specifiers(text: string): string[] {
  const body = stripComments(text);
  const out: string[] = [];
  for (const m of body.matchAll(STATIC)) if (m[1]) out.push(m[1]);
  for (const m of body.matchAll(DYNAMIC)) if (m[1]) out.push(m[1]);
  return out;
}

/** `src/rules/owner.ts` → `rules`; `src/cli.ts` → `cli.ts` (an entry file is its own node). */
export function folderOf(path: string): string | undefined {
  const parts = path.split("/");
  if (parts[0] !== "src" || parts.length < 2) return undefined;
  return parts.length === 2 ? (parts[1] as string) : parts[2] === undefined ? undefined : parts[1];
}

export function buildGraph(files: SourceFile[]): { edges: ImportEdge[]; forbidden: Violation[] } {
  const byKey = new Map<string, ImportEdge>();
  const forbidden: Violation[] = [];
  for (const file of files) {
    const from = folderOf(file.path);
    if (from === undefined) continue;
    for (const spec of specifiers(file.text)) {
      if (!spec.startsWith(".")) continue;
      const target = posix.normalize(posix.join(posix.dirname(file.path), spec));
      const root = target.split("/")[0] as string;
      if ((FORBIDDEN_ROOTS as readonly string[]).includes(root)) {
        forbidden.push({
          rule: "forbidden-root",
          edge: `${file.path} → ${root}`,
          detail: `${file.path} imports ${spec}: src never imports ${FORBIDDEN_ROOTS.join("/, ")}/`,
        });
        continue;
      }
      const to = folderOf(target);
      if (to === undefined || to === from) continue;
      const key = `${from} → ${to}`;
      const edge = byKey.get(key) ?? { from, to, files: [] };
      edge.files.push(`${file.path} → ${target}`);
      byKey.set(key, edge);
    }
  }
  const edges = [...byKey.values()].sort((a, b) =>
    a.from === b.from ? a.to.localeCompare(b.to) : a.from.localeCompare(b.from),
  );
  return { edges, forbidden };
}

/** Strongly connected components with more than one folder (Tarjan). */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    if (!next.has(e.to)) next.set(e.to, []);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

export interface CheckResult {
  edges: ImportEdge[];
  violations: Violation[];
  /** Allowlisted edges that no longer exist: the list must shrink with the code. */
  stale: string[];
}

/**
 * Allowlisted folder edges (`audit → delivery`) are taken out of the graph before the rules run,
 * so a listed back-edge neither fails itself nor hides a new cycle made of other edges.
 */
export function check(files: SourceFile[], allow: ReadonlySet<string>): CheckResult {
  const { edges, forbidden } = buildGraph(files);
  const keyOf = (e: ImportEdge): string => `${e.from} → ${e.to}`;
  const present = new Set(edges.map(keyOf));
  const checked = edges.filter((e) => !allow.has(keyOf(e)));
  const violations: Violation[] = forbidden.filter((v) => !allow.has(v.edge));
  for (const e of checked) {
    const low = (DESTINATION_FREE as readonly string[]).includes(e.from);
    const dest = (DESTINATION_FOLDERS as readonly string[]).includes(e.to);
    if (low && dest) {
      violations.push({
        rule: "layer",
        edge: keyOf(e),
        detail: `${e.from} may not import ${e.to}: ${e.files.join(", ")}`,
      });
    }
    if (e.from === ENGINE && (DESTINATIONS as readonly string[]).includes(e.to)) {
      violations.push({
        rule: "layer",
        edge: keyOf(e),
        detail: `the delivery engine may not import a destination (${e.to}): ${e.files.join(", ")}`,
      });
    }
  }
  for (const component of cycles(checked)) {
    const inside = checked.filter((e) => component.includes(e.from) && component.includes(e.to));
    for (const e of inside) {
      violations.push({
        rule: "cycle",
        edge: keyOf(e),
        detail: `cycle {${component.join(", ")}} through ${e.files.join(", ")}`,
      });
    }
  }
  const forbiddenKeys = new Set(forbidden.map((v) => v.edge));
  const stale = [...allow].filter((k) => !present.has(k) && !forbiddenKeys.has(k)).sort();
  return { edges, violations, stale };
}

/** One line per folder: `rules → config, infor, shared`. */
export function renderGraph(edges: readonly ImportEdge[]): string {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  return [...out.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([from, to]) => `  ${from} → ${to.sort().join(", ")}`)
    .join("\n");
}

/** `importer → imported` per line; `#` starts a comment. */
export function parseAllowlist(text: string): Set<string> {
  const out = new Set<string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") continue;
    const [from, to, ...rest] = line.split(/\s*(?:→|->)\s*/);
    if (!from || !to || rest.length > 0) throw new Error(`import allowlist: bad line "${raw}"`);
    out.add(`${from} → ${to}`);
  }
  return out;
}
