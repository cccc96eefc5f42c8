import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * Docker cannot build on this machine (no engine), so the Dockerfile's key properties are checked
 * as text: Node 24 slim base, production install only, non-root user, HEALTHCHECK on /healthz,
 * nothing from sandbox/, test/ or bench/ in the shipped stage.
 */
const root = new URL("../../", import.meta.url);
const dockerfile = readFileSync(new URL("Dockerfile", root), "utf8");

interface Stage {
  from: string;
  name: string | undefined;
  lines: string[];
}

/** Instructions with line continuations joined, comments dropped, grouped by stage. */
function stages(text: string): { args: Map<string, string>; stages: Stage[] } {
  const joined = text.replace(/\\\n/g, " ");
  const args = new Map<string, string>();
  const list: Stage[] = [];
  for (const raw of joined.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from?.[1]) {
      list.push({ from: from[1], name: from[2], lines: [] });
      continue;
    }
    const current = list.at(-1);
    if (current) current.lines.push(line);
    else {
      const arg = /^ARG\s+(\w+)=(\S+)/i.exec(line);
      if (arg?.[1] && arg[2]) args.set(arg[1], arg[2]);
    }
  }
  return { args, stages: list };
}

const parsed = stages(dockerfile);
const resolveImage = (from: string) =>
  from.replace(/\$\{(\w+)\}/g, (_, n: string) => parsed.args.get(n) ?? "");
const runtime = parsed.stages.at(-1);
const byName = (name: string) => parsed.stages.find((s) => s.name === name);

describe("Dockerfile", () => {
  it("builds every stage on a Node 24 slim image", () => {
    expect(parsed.stages.length).toBeGreaterThanOrEqual(2);
    for (const s of parsed.stages)
      expect(resolveImage(s.from)).toMatch(/^node:24(\.\d+)*(-[a-z]+)*-slim$/);
  });

  it("ships the runtime stage last, so a plain `docker build` produces it", () => {
    expect(runtime?.name).toBe("runtime");
  });

  it("installs production dependencies only for the runtime", () => {
    if (!runtime) throw new Error("no stage");
    const copies = runtime.lines.filter((l) => /^COPY\b/i.test(l));
    const fromStages = copies
      .map((l) => /--from=(\S+)/.exec(l)?.[1])
      .filter((s): s is string => Boolean(s));
    expect(fromStages).toEqual(["deps"]);
    const deps = byName("deps");
    expect(deps?.lines.some((l) => /^RUN\s+npm ci\b.*--omit=dev/.test(l))).toBe(true);
    expect(deps?.lines.some((l) => /npm (ci|install)\b(?!.*--omit=dev)/.test(l))).toBe(false);
    expect(runtime.lines.some((l) => /npm (ci|install)\b/.test(l))).toBe(false);
    expect(runtime.lines.some((l) => /^ENV\b.*NODE_ENV=production/.test(l))).toBe(true);
  });

  it("copies nothing from sandbox/, test/ or bench/ (and not the whole context) into the runtime", () => {
    if (!runtime) throw new Error("no stage");
    const sources = runtime.lines
      .filter((l) => /^(COPY|ADD)\b/i.test(l) && !/--from=/.test(l))
      .flatMap((l) =>
        l
          .split(/\s+/)
          .slice(1, -1)
          .filter((w) => !w.startsWith("--")),
      );
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect(src).not.toMatch(/^(\.\/?|\*|sandbox|test|bench)(\/|$)/);
    }
    expect(sources).toContain("src");
    expect(runtime.lines.some((l) => /^ADD\b/i.test(l))).toBe(false);
  });

  it("runs as a non-root user", () => {
    const users = runtime?.lines.filter((l) => /^USER\b/i.test(l)) ?? [];
    expect(users.length).toBeGreaterThan(0);
    const last = users.at(-1)?.split(/\s+/)[1];
    expect(last).toBeDefined();
    expect(["root", "0", "0:0"]).not.toContain(last);
  });

  it("has a HEALTHCHECK on /healthz that needs no curl", () => {
    const hc = runtime?.lines.find((l) => /^HEALTHCHECK\b/i.test(l));
    expect(hc).toBeDefined();
    expect(hc).toContain("/healthz");
    expect(hc).toMatch(/CMD \["node", "-e"/);
    expect(hc).not.toMatch(/curl|wget/);
  });

  it("starts the CLI directly under node, which receives SIGTERM itself", () => {
    // node itself is PID 1's command (its V8 flags before the script: node-flags.test.ts).
    const entrypoint = runtime?.lines.find((l) => l.startsWith("ENTRYPOINT"));
    const argv = JSON.parse(entrypoint?.replace(/^ENTRYPOINT\s+/, "") ?? "[]") as string[];
    expect(argv[0]).toBe("node");
    expect(argv.at(-1)).toBe("src/cli.ts");
    expect(argv.slice(1, -1).every((a) => a.startsWith("--"))).toBe(true);
    expect(runtime?.lines.some((l) => /^STOPSIGNAL\s+SIGTERM/.test(l))).toBe(true);
  });
});

describe(".dockerignore", () => {
  const ignore = readFileSync(new URL(".dockerignore", root), "utf8")
    .split("\n")
    .map((l) => l.trim());
  it("keeps secrets, installs and VCS data out of the build context", () => {
    for (const entry of [".git", "node_modules", ".env", "*.ionapi", "routing.yml"]) {
      expect(ignore).toContain(entry);
    }
  });
});

interface ComposeService {
  command?: string[];
  volumes?: string[];
  profiles?: string[];
  build?: { target?: string };
  stop_grace_period?: string;
  depends_on?: Record<string, { condition?: string }>;
}

describe("compose.yaml", () => {
  const compose = parse(readFileSync(new URL("compose.yaml", root), "utf8"), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const s = compose.services;

  it("runs Redis with AOF everysec and noeviction, on a volume", () => {
    const cmd = (s.redis?.command ?? []).join(" ");
    expect(cmd).toContain("--appendonly yes");
    expect(cmd).toContain("--appendfsync everysec");
    expect(cmd).toContain("--maxmemory-policy noeviction");
    expect(s.redis?.volumes).toContain("redis-data:/data");
  });

  it("runs the production image for the app, with time to drain before SIGKILL", () => {
    expect(s.app?.build?.target).toBe("runtime");
    expect(s.app?.profiles).toBeUndefined();
    expect(s.app?.stop_grace_period).toBe("30s");
    expect(s.app?.depends_on?.redis?.condition).toBe("service_healthy");
  });

  it("adds the simulators from the dev image in the sandbox profile only", () => {
    expect(s["infor-sim"]?.profiles).toEqual(["sandbox"]);
    expect(s["slack-emu"]?.profiles).toEqual(["sandbox"]);
    expect(s["infor-sim"]?.build?.target).toBe("dev");
    expect(s["infor-sim"]?.command).toEqual(["npm", "run", "sim:infor"]);
    expect(s["slack-emu"]?.command).toEqual(["npm", "run", "emu:slack"]);
  });
});
