import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import { encryptSecret, generateKey, parseKeyRing } from "../../src/security/envelope.ts";
import { IONAPI } from "../infor/helpers.ts";
import { captureIo } from "./capture-io.ts";

const root = new URL("../../", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "csl-ionapi-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const routing = join(dir, "routing.yml");
copyFileSync(join(root, "routing.example.yml"), routing); // tenant ACME_PRD

const io = captureIo;

const keys = `k1:${generateKey()}`;
const baseEnv = {
  SLACK_BOT_TOKEN: "xoxb-1111-2222-abcdefabcdef",
  SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99aaaaaa85a5",
  ENCRYPTION_KEYS: keys,
};

/** Writes the file as the runbook has admins make it: `encrypt-secret --file`. */
function encryptedFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, encryptSecret(JSON.stringify(content), parseKeyRing(keys)));
  return path;
}

describe("check-config --env parses the .ionapi as serve does", () => {
  it("refuses an encrypted Web-app file, naming IONAPI_FILE, saak and sask", async () => {
    const { saak: _a, sask: _b, ...web } = { ...IONAPI, ti: "ACME_PRD" };
    const file = encryptedFile("web.ionapi.enc", web);
    const t = io({ ...baseEnv, IONAPI_FILE: file });
    expect(await runCli(["check-config", "--env", "--routing", routing], t.io)).toBe(2);
    expect(t.err()).toMatch(/IONAPI_FILE/);
    expect(t.err()).toMatch(/"saak" and "sask": are missing/);
    expect(t.err()).not.toContain(IONAPI.cs);
  });

  it("serve refuses the same Web-app file at start, before any sign-in (no auth_failed loop)", async () => {
    const { saak: _a, sask: _b, ...web } = { ...IONAPI, ti: "ACME_PRD" };
    const file = encryptedFile("web-serve.ionapi.enc", web);
    const t = io({ ...baseEnv, IONAPI_FILE: file, ROUTING_FILE: routing });
    expect(await runCli(["serve", "--role", "worker"], t.io)).toBe(2);
    expect(t.err()).toMatch(/IONAPI_FILE.*"saak" and "sask": are missing/);
  });

  it("accepts a file without cn/or whose ti is the routing tenant", async () => {
    const { cn: _c, or: _o, ...file } = { ...IONAPI, ti: "ACME_PRD" };
    const t = io({ ...baseEnv, IONAPI_FILE: encryptedFile("ok.ionapi.enc", file) });
    expect(await runCli(["check-config", "--env", "--routing", routing], t.io)).toBe(0);
    expect(t.out()).toMatch(/environment: ok/);
  });

  it("names a routing tenant that is not the .ionapi's ti", async () => {
    const t = io({ ...baseEnv, IONAPI_JSON: JSON.stringify(IONAPI) }); // ti ACME_TST
    expect(await runCli(["check-config", "--env", "--routing", routing], t.io)).toBe(2);
    expect(t.err()).toMatch(
      /tenant "ACME_PRD" does not match the .ionapi IONAPI_JSON \(ti "ACME_TST"\)/,
    );
  });
});

describe("ionapi inspect", () => {
  it("reads the encrypted envelope the runbook tells admins to make", async () => {
    const file = encryptedFile("inspect.ionapi.enc", IONAPI);
    const t = io({ ENCRYPTION_KEYS: keys });
    expect(await runCli(["ionapi", "inspect", file], t.io)).toBe(0);
    expect(JSON.parse(t.out())).toMatchObject({ tenant: "ACME_TST", grants: { password: true } });
    for (const s of [IONAPI.cs, IONAPI.saak, IONAPI.sask]) expect(t.out()).not.toContain(s);
    const noKeys = io({});
    expect(await runCli(["ionapi", "inspect", file], noKeys.io)).toBe(1);
    expect(noKeys.err()).toMatch(/encrypted \(enc:v1\) but ENCRYPTION_KEYS is not set/);
  });

  it("describes a Web-app file instead of refusing it", async () => {
    const { saak: _a, sask: _b, ...web } = IONAPI;
    const file = join(dir, "web.ionapi");
    writeFileSync(file, JSON.stringify(web));
    const t = io({});
    expect(await runCli(["ionapi", "inspect", file], t.io)).toBe(0);
    expect(JSON.parse(t.out())).toMatchObject({ grants: { password: false } });
  });
});
