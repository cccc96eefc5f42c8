import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inforCall, ionapiInspect } from "../../src/cli/infor-call.ts";
import { IONAPI, mockAgent, TOKEN_PATH, tokenBody } from "./helpers.ts";

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "infor-cli-"));
  file = join(dir, "acme.ionapi");
  await writeFile(file, JSON.stringify(IONAPI));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env,
    },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

const SECRETS = [IONAPI.cs, IONAPI.saak, IONAPI.sask];

describe("ionapi inspect", () => {
  it("prints tenant, URLs and grants with every secret redacted", async () => {
    const t = io();
    expect(await ionapiInspect([file], t.io)).toBe(0);
    const json = JSON.parse(t.out());
    expect(json).toMatchObject({
      tenant: "ACME_TST",
      clientName: "cloudsuite-slack",
      apiBase: "https://mingle-ionapi.example.com/ACME_TST",
      tokenUrl: "https://mingle-sso.example.com/ACME_TST/as/token.oauth2",
      revokeUrl: "https://mingle-sso.example.com/ACME_TST/as/revoke_token.oauth2",
      grants: { password: true },
    });
    for (const s of SECRETS) expect(t.out()).not.toContain(s);
  });

  it("names the bad key and exits 1; usage errors exit 2", async () => {
    const badFile = join(dir, "bad.ionapi");
    await writeFile(badFile, JSON.stringify({ ...IONAPI, iu: "http://mingle.example.com" }));
    const t = io();
    expect(await ionapiInspect([badFile], t.io)).toBe(1);
    expect(t.err()).toContain('"iu"');
    expect(t.err()).toContain("ionapi_invalid");
    expect(await ionapiInspect([], io().io)).toBe(2);
    const missing = io();
    expect(await ionapiInspect([join(dir, "nope.ionapi")], missing.io)).toBe(1);
    expect(missing.err()).toContain("ENOENT");
  });
});

describe("infor call", () => {
  it("signs in, calls, prints records, revokes", async () => {
    const agent = mockAgent();
    agent
      .get("https://mingle-sso.example.com")
      .intercept({ path: TOKEN_PATH, method: "POST" })
      .reply(200, tokenBody("AT"), { headers: { "content-type": "application/json" } });
    agent
      .get("https://mingle-sso.example.com")
      .intercept({ path: "/ACME_TST/as/revoke_token.oauth2", method: "POST" })
      .reply(200, "");
    agent
      .get("https://mingle-ionapi.example.com")
      .intercept({
        path: (p: string) =>
          p.startsWith("/ACME_TST/M3/m3api-rest/v2/execute/CRS620MI/GetBasicData?") &&
          p.includes("SUNO=S100") &&
          p.includes("cono=100"),
      })
      .reply(
        200,
        JSON.stringify({
          results: [{ transaction: "GetBasicData", records: [{ SUNO: "S100", SUNM: "Acme  " }] }],
        }),
      );
    const t = io({ IONAPI_FILE: file });
    const code = await inforCall(["CRS620MI/GetBasicData", "suno=S100", "--cono", "100"], t.io, {
      dispatcher: agent,
    });
    expect(t.err()).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(t.out())).toMatchObject({
      count: 1,
      records: [{ SUNO: "S100", SUNM: "Acme" }],
    });
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  it("prints a business error with its code and exits 1", async () => {
    const agent = mockAgent();
    agent
      .get("https://mingle-sso.example.com")
      .intercept({ path: TOKEN_PATH, method: "POST" })
      .reply(200, tokenBody("AT"), { headers: { "content-type": "application/json" } });
    agent
      .get("https://mingle-sso.example.com")
      .intercept({ path: "/ACME_TST/as/revoke_token.oauth2", method: "POST" })
      .reply(200, "");
    agent
      .get("https://mingle-ionapi.example.com")
      .intercept({ path: (p: string) => p.includes("/PPS200MI/GetHead") })
      .reply(
        400,
        JSON.stringify({
          results: [
            {
              transaction: "GetHead",
              records: [],
              errorMessage: "PO 1 does not exist",
              errorCode: "XRE0103",
              errorField: "PUNO",
            },
          ],
        }),
      );
    const t = io();
    expect(
      await inforCall(["PPS200MI/GetHead", "PUNO=1", "--ionapi", file], t.io, {
        dispatcher: agent,
      }),
    ).toBe(1);
    expect(t.err()).toContain("mi_business [XRE0103]");
    await agent.close();
  });

  it("usage errors exit 2", async () => {
    expect(await inforCall(["nonsense"], io().io)).toBe(2);
    expect(await inforCall(["CRS620MI/GetBasicData", "novalue"], io().io)).toBe(2);
    expect(await inforCall(["CRS620MI/GetBasicData"], io().io)).toBe(2);
  });
});
