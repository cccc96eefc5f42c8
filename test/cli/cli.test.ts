import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { COMMANDS, runCli } from "../../src/cli.ts";
import { decryptSecret, generateKey, parseKeyRing } from "../../src/security/envelope.ts";
import { captureIo } from "./capture-io.ts";

const root = new URL("../../", import.meta.url).pathname;

const io = captureIo;

/** The real binary on Node 24, as an admin runs it: exit code and output, no stack traces. */
function runBinary(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(root, "src/cli.ts"), ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? "", ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** A temp folder removed after the test that made it. */
const scratchDirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "csl-cli-"));
  scratchDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("cloudsuite-slack CLI", () => {
  it("check-config passes on routing.example.yml", async () => {
    const r = await runBinary(["check-config", "--routing", "routing.example.yml"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/routing\.example\.yml: ok/);
    // What each channel hears, so the noise defaults are a visible choice.
    expect(r.stdout).toMatch(/noise: no default set, the finance defaults apply/);
    expect(r.stdout).toMatch(/noise: #finance-ops: supplier_invoice exceptions-only/);
    expect(r.stdout).toMatch(/approvals: each eligible approver .* direct message/);
    expect(r.code).toBe(0);
  });

  it("check-config on a broken copy prints the path of the problem and exits 2", async () => {
    const dir = scratch();
    const broken = join(dir, "routing.yml");
    writeFileSync(
      broken,
      readFileSync(join(root, "routing.example.yml"), "utf8").replace(
        "opsChannel: finance-ops",
        "opsChanel: finance-ops",
      ),
    );
    const r = await runBinary(["check-config", "--routing", broken]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${broken}:`);
    expect(r.stderr).toMatch(/opsChanel: unknown key "opsChanel"; did you mean "opsChannel"\?/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("a missing environment exits 2 and lists every problem", async () => {
    const dir = scratch();
    copyFileSync(join(root, "routing.example.yml"), join(dir, "routing.yml"));
    const r = await runBinary(["check-config"], { ROUTING_FILE: join(dir, "routing.yml") });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SLACK_BOT_TOKEN is missing/);
    expect(r.stderr).toMatch(/SLACK_SIGNING_SECRET is missing/);
    expect(r.stderr).toMatch(/IONAPI_FILE is missing/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("encrypt-secret reads stdin, never argv, and the envelope decrypts", async () => {
    const keys = `k1:${generateKey()}`;
    const ok = io({ ENCRYPTION_KEYS: keys }, "my-ion-secret\n");
    expect(await runCli(["encrypt-secret"], ok.io)).toBe(0);
    const envelope = ok.out().trim();
    expect(decryptSecret(envelope, parseKeyRing(keys))).toBe("my-ion-secret");

    const refused = io({ ENCRYPTION_KEYS: keys });
    expect(await runCli(["encrypt-secret", "my-ion-secret"], refused.io)).toBe(2);
    expect(refused.err()).toMatch(/standard input/);
    expect(refused.out()).not.toContain("my-ion-secret");

    const noKeys = io({}, "x");
    expect(await runCli(["encrypt-secret"], noKeys.io)).toBe(2);
    expect(noKeys.err()).toMatch(/ENCRYPTION_KEYS is not set/);
  });

  it("--help lists commands; an unknown command exits 2", async () => {
    const help = io();
    expect(await runCli(["--help"], help.io)).toBe(0);
    expect(help.out()).toMatch(/check-config/);
    expect(help.out()).toMatch(/encrypt-secret/);
    const bad = io();
    expect(await runCli(["frobnicate"], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/Unknown command "frobnicate"/);
  });

  it("replay and audit export refuse a bad --since/--until before touching Redis", async () => {
    for (const [command, flags] of [
      [["replay"], ["--since", "yesterday"]],
      [
        ["audit", "export"],
        ["--since", "2026-11-01", "--until", "soon"],
      ],
    ] as const) {
      const r = io();
      expect(await runCli([...command, ...flags], r.io)).toBe(2);
      expect(r.err()).toMatch(
        new RegExp(`^${command.join(" ")}: --(since|until): ".+" is not an ISO date`),
      );
    }
  });
});

describe("strict flags: a misspelt flag never widens the action", () => {
  it("replay --dead-letters --chanel C0FIN exits 2 naming --chanel, before any config or Redis", async () => {
    const r = await runBinary(["replay", "--dead-letters", "--chanel", "C0FIN"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^replay: unknown flag --chanel \(did you mean --channel\?\)/);
    // Refused at parse time: the environment (missing here) was never read.
    expect(r.stderr).not.toMatch(/is missing/);
    expect(r.stdout).toBe("");
  });

  it("every command refuses an unknown flag with exit 2 and names it", async () => {
    for (const name of Object.keys(COMMANDS)) {
      const r = io({}, "never-read");
      const code = await runCli([...name.split(" "), "--frobnicate", "x"], r.io);
      expect({ name, code }).toEqual({ name, code: 2 });
      expect(r.err()).toContain(`${name}: unknown flag --frobnicate`);
      expect(r.out()).toBe("");
    }
  });

  it("every command answers --help with exit 0", async () => {
    for (const name of Object.keys(COMMANDS)) {
      const r = io();
      expect({ name, code: await runCli([...name.split(" "), "--help"], r.io) }).toEqual({
        name,
        code: 0,
      });
      expect(r.out()).toMatch(/usage/i);
    }
  });

  it("a flag without its value, or a value on a switch, exits 2 naming the flag", async () => {
    const missing = io();
    expect(await runCli(["replay", "--channel"], missing.io)).toBe(2);
    expect(missing.err()).toMatch(/^replay: --channel needs a value/);
    const ambiguous = io();
    expect(await runCli(["audit", "export", "--since", "--until", "x"], ambiguous.io)).toBe(2);
    expect(ambiguous.err()).toMatch(/^audit export: --since needs a value/);
    const valued = io();
    expect(await runCli(["replay", "--dead-letters=yes"], valued.io)).toBe(2);
    expect(valued.err()).toMatch(/^replay: --dead-letters takes no value/);
    const stray = io();
    expect(await runCli(["check-config", "routing.yml"], stray.io)).toBe(2);
    expect(stray.err()).toMatch(/^check-config: unexpected argument "routing.yml"/);
  });

  it("infor call reads the app's IONAPI_FILE / IONAPI_JSON and, like serve, refuses both", async () => {
    const both = io({ IONAPI_FILE: "/nowhere.ionapi", IONAPI_JSON: "{}" });
    expect(await runCli(["infor", "call", "CRS620MI/LstSuppliers"], both.io)).toBe(2);
    expect(both.err()).toBe("IONAPI_FILE and IONAPI_JSON are both set: keep one\n");
    const none = io({ INFOR_IONAPI_FILE: "/nowhere.ionapi" });
    expect(await runCli(["infor", "call", "CRS620MI/LstSuppliers"], none.io)).toBe(2);
    expect(none.err()).toMatch(
      /^no \.ionapi: pass --ionapi <file> or set IONAPI_FILE or IONAPI_JSON/,
    );
  });

  it("infor call refuses a misspelt flag instead of sending it as an input", async () => {
    const r = io({ IONAPI_JSON: "{}" });
    expect(await runCli(["infor", "call", "CRS620MI/LstSuppliers", "--maxrec", "2"], r.io)).toBe(2);
    expect(r.err()).toMatch(/^infor call: unknown flag --maxrec \(did you mean --maxrecs\?\)/);
  });
});
