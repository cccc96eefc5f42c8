import { readFileSync } from "node:fs";
import {
  type Document,
  isMap,
  isNode,
  isScalar,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";
import type { z } from "zod";
import { codeOf } from "../shared/error-code.ts";
import { type RoutingConfig, routingSchema } from "./routing-schema.ts";
import { nearest } from "./suggest.ts";

/**
 * Loading `routing.yml`: YAML syntax errors and schema errors both come back as
 * `file:line:column: path: message`, every one of them at once, so the admin can fix the file in
 * one pass. Unknown keys suggest the nearest valid key; references to undefined channels or
 * cost centers are named.
 */
export interface ConfigProblem {
  file: string;
  line?: number;
  column?: number;
  /** Dotted path inside the document, e.g. `costCenters.1100.channel`. */
  path: string;
  message: string;
}

export type RoutingResult =
  | { ok: true; config: RoutingConfig }
  | { ok: false; problems: ConfigProblem[] };

export function formatProblem(p: ConfigProblem): string {
  const where = p.line ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `${where}: ${p.path ? `${p.path}: ` : ""}${p.message}`;
}

export function loadRoutingFile(file: string): RoutingResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = codeOf(err) ?? "unreadable";
    return { ok: false, problems: [{ file, path: "", message: `cannot read the file (${code})` }] };
  }
  return parseRouting(text, file);
}

export function parseRouting(text: string, file = "routing.yml"): RoutingResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        ...at(e.pos[0]),
        path: "",
        message: `YAML syntax: ${e.message.split("\n")[0]}`,
      })),
    };
  }
  const data: unknown = doc.toJS();
  const parsed = routingSchema.safeParse(data);
  if (!parsed.success) {
    const problems = flattenIssues(parsed.error.issues).map((issue) =>
      toProblem(issue, doc, file, at),
    );
    return { ok: false, problems: dedupe(problems) };
  }
  const refProblems = checkReferences(parsed.data).map(({ path, message }) => ({
    file,
    ...at(nodeAt(doc, path)?.range?.[0]),
    path: path.join("."),
    message,
  }));
  return refProblems.length > 0
    ? { ok: false, problems: refProblems }
    : { ok: true, config: parsed.data };
}

type Issue = z.core.$ZodIssue;

/** A union failure is reported through the branch that came closest (fewest issues). */
function flattenIssues(issues: readonly Issue[], prefix: PropertyKey[] = []): Issue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      return flattenIssues(best, path);
    }
    return [{ ...issue, path } as Issue];
  });
}

function toProblem(
  issue: Issue,
  doc: Document,
  file: string,
  at: (offset: number | undefined) => { line?: number; column?: number },
): ConfigProblem {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const known = keysAt(routingSchema, path);
    const key = issue.keys[0] ?? "";
    const guess = nearest(key, known);
    const keyNode = keyNodeAt(doc, path, key);
    return {
      file,
      ...at(keyNode?.range?.[0]),
      path: [...path, key].join("."),
      message: `unknown key "${key}"${guess ? `; did you mean "${guess}"?` : known.length ? `; valid keys: ${known.join(", ")}` : ""}`,
    };
  }
  const node = nodeAt(doc, path);
  const missing = issue.code === "invalid_type" && node === undefined;
  return {
    file,
    ...at((node ?? nearestAncestor(doc, path))?.range?.[0]),
    path: path.join("."),
    message: missing ? `is required (${issue.message})` : issue.message,
  };
}

function nodeAt(doc: Document, path: string[]): Node | undefined {
  const node = doc.getIn(path, true);
  return isNode(node) ? node : undefined;
}

function nearestAncestor(doc: Document, path: string[]): Node | undefined {
  for (let n = path.length - 1; n >= 0; n--) {
    const node = nodeAt(doc, path.slice(0, n));
    if (node) return node;
  }
  return doc.contents ?? undefined;
}

function keyNodeAt(doc: Document, path: string[], key: string): Node | undefined {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return pair && isNode(pair.key) ? pair.key : undefined;
}

/** Valid keys of the object schema found at `path`, for "did you mean". */
function keysAt(schema: z.ZodType, path: string[]): string[] {
  let current: z.ZodType | undefined = schema;
  for (const segment of [...path, null]) {
    current = unwrap(current);
    if (!current) return [];
    const def = current.def as { type: string; [k: string]: unknown };
    if (segment === null) {
      return def.type === "object" ? Object.keys(def.shape as object) : [];
    }
    if (def.type === "object") current = (def.shape as Record<string, z.ZodType>)[segment];
    else if (def.type === "array") current = def.element as z.ZodType;
    else if (def.type === "record") current = def.valueType as z.ZodType;
    else return [];
  }
  return [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  for (let i = 0; s && i < 10; i++) {
    const def = s.def as {
      type: string;
      innerType?: z.ZodType;
      in?: z.ZodType;
      options?: z.ZodType[];
    };
    if (def.innerType) s = def.innerType;
    else if (def.type === "pipe" && def.in) s = def.in;
    else if (def.type === "union" && def.options) {
      s = def.options.find((o) => (o.def as { type: string }).type === "object") ?? def.options[0];
      if ((s?.def as { type: string } | undefined)?.type === "object") return s;
    } else return s;
  }
  return s;
}

/** Names referenced elsewhere in the file must be defined: a typo must not route alerts nowhere. */
export function checkReferences(config: RoutingConfig): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const channels = Object.keys(config.channels);
  const channel = (path: string[], name: string) => {
    if (!(name in config.channels)) {
      const guess = nearest(name, channels);
      problems.push({
        path,
        message: `channel "${name}" is not defined under channels${guess ? `; did you mean "${guess}"?` : ` (defined: ${channels.join(", ") || "none"})`}`,
      });
    }
  };
  channel(["defaultChannel"], config.defaultChannel);
  channel(["opsChannel"], config.opsChannel);
  for (const [cc, def] of Object.entries(config.costCenters)) {
    channel(["costCenters", cc, "channel"], def.channel);
  }
  for (const name of Object.keys(config.quietHours)) channel(["quietHours", name], name);
  for (const name of Object.keys(config.noise.channels)) channel(["noise", "channels", name], name);
  for (const [name, w] of Object.entries(config.webhooks)) {
    for (const [i, alias] of w.channels.entries()) {
      channel(["webhooks", name, "channels", String(i)], alias);
    }
  }
  const costCenters = Object.keys(config.costCenters);
  for (const cc of Object.keys(config.tolerances.costCenters)) {
    if (!(cc in config.costCenters)) {
      const guess = nearest(cc, costCenters);
      problems.push({
        path: ["tolerances", "costCenters", cc],
        message: `cost center "${cc}" is not defined under costCenters${guess ? `; did you mean "${guess}"?` : ""}`,
      });
    }
  }
  for (const kind of ["suppliers", "buyers"] as const) {
    for (const [who, cc] of Object.entries(config.costCenterDefaults[kind])) {
      if (config.costCenters[cc]) continue;
      const guess = nearest(cc, costCenters);
      problems.push({
        path: ["costCenterDefaults", kind, who],
        message: `cost center "${cc}" is not defined under costCenters${guess ? `; did you mean "${guess}"?` : ""}`,
      });
    }
  }
  const companies = new Set(config.tenants.flatMap((t) => t.companies.map((c) => c.company)));
  for (const company of Object.keys(config.tolerances.companies)) {
    if (!companies.has(company)) {
      problems.push({
        path: ["tolerances", "companies", company],
        message: `company "${company}" is not configured under tenants[].companies`,
      });
    }
  }
  return problems;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = formatProblem(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
