import { describe, expect, it } from "vitest";
import { IonapiError } from "../../src/infor/errors.ts";
import { describeIonapi, parseIonapi } from "../../src/infor/ionapi.ts";
import { IONAPI } from "./helpers.ts";

describe("parseIonapi", () => {
  it("builds API base, token and revoke URLs from iu/ti and pu+ot/or", () => {
    const c = parseIonapi(JSON.stringify(IONAPI));
    expect(c.apiBase).toBe("https://mingle-ionapi.example.com/ACME_TST");
    expect(c.tokenUrl).toBe("https://mingle-sso.example.com/ACME_TST/as/token.oauth2");
    expect(c.revokeUrl).toBe("https://mingle-sso.example.com/ACME_TST/as/revoke_token.oauth2");
    expect(c.serviceAccountAccessKey).toBe(IONAPI.saak);
    expect(c.meta).toEqual({ ev: "U1", v: "1.1", dt: "12" });
  });

  it("accepts an object and on-premises paths (connect/token)", () => {
    const c = parseIonapi({
      ...IONAPI,
      pu: "https://sts.local.example/InforIntSTS/",
      ot: "connect/token",
      or: "connect/revocation",
    });
    expect(c.tokenUrl).toBe("https://sts.local.example/InforIntSTS/connect/token");
  });

  it.each([
    ["http://127.0.0.1:8080", true],
    ["http://127.5.6.7:1", true],
    ["http://localhost:9", true],
    ["http://[::1]:9", true],
    ["http://mingle.example.com", false],
    ["ftp://127.0.0.1", false],
  ])("iu %s allowed=%s (https only except loopback)", (iu, ok) => {
    const run = () => parseIonapi({ ...IONAPI, iu });
    if (ok) expect(run().apiBase.startsWith(iu.replace("[::1]", "[::1]"))).toBe(true);
    else expect(run).toThrowError(IonapiError);
  });

  it.each(["ti", "ci", "cs", "iu", "pu", "ot"])("names the missing key %s", (key) => {
    const file: Record<string, unknown> = { ...IONAPI };
    delete file[key];
    try {
      parseIonapi(file);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(IonapiError);
      expect((err as IonapiError).code).toBe("ionapi_invalid");
      expect((err as IonapiError).key).toBe(key);
      expect((err as Error).message).toContain(`"${key}"`);
    }
  });

  it("accepts a real file without cn (a display name) and or (revoke, only used at shutdown)", () => {
    const { cn: _cn, or: _or, ...rest } = IONAPI;
    const c = parseIonapi(rest);
    expect(c.clientName).toBeUndefined();
    expect(c.revokeUrl).toBeUndefined();
    expect(describeIonapi(c)).toMatchObject({ clientName: null, revokeUrl: null });
  });

  it("refuses a Web/mobile-app file (no saak/sask), naming both keys", () => {
    const { saak: _a, sask: _b, ...web } = IONAPI;
    try {
      parseIonapi({ ...web, ru: "https://app.example.com/cb" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(IonapiError);
      expect((err as IonapiError).keys).toEqual(["saak", "sask"]);
      expect((err as Error).message).toMatch(
        /keys "saak" and "sask": are missing.*Backend Service/,
      );
    }
  });

  it.each([
    ["ti", "<your Tenant>"],
    ["saak", "<your Tenant>#<service account access key>"],
    ["iu", "https://mingle-ionapi.inforcloudsuite.com/<your Tenant>"],
  ])("refuses the placeholder left in %s", (key, value) => {
    expect(() => parseIonapi({ ...IONAPI, [key]: value })).toThrow(
      expect.objectContaining({ key, message: expect.stringMatching(/placeholder/) }),
    );
  });

  it("names saak/sask when only one of the pair is present", () => {
    const { sask: _omit, ...rest } = IONAPI;
    expect(() => parseIonapi(rest)).toThrow(/"sask"/);
  });

  it("never echoes a secret value in an error", () => {
    const bad = { ...IONAPI, pu: "not a url with very-secret-client-secret" };
    try {
      parseIonapi(bad);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain("very-secret");
      expect((err as IonapiError).key).toBe("pu");
    }
    expect(() => parseIonapi("{not json")).toThrow(/\(file\)/);
  });

  it("describe redacts every secret and says which grants are possible", () => {
    const d = describeIonapi(parseIonapi(IONAPI));
    const text = JSON.stringify(d);
    for (const secret of [IONAPI.cs, IONAPI.saak, IONAPI.sask, "clientid123"]) {
      expect(text).not.toContain(secret);
    }
    expect(d).toMatchObject({ tenant: "ACME_TST", grants: { password: true } });
    const webApp = describeIonapi(
      parseIonapi(
        { ...IONAPI, saak: undefined, sask: undefined },
        { requireServiceAccount: false },
      ),
    );
    expect(webApp).toMatchObject({ grants: { password: false, refresh_token: false } });
  });
});
