import { describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/env.ts";
import { encryptSecret, generateKey, parseKeyRing } from "../../src/security/envelope.ts";

const ionapi = JSON.stringify({
  ti: "ACME_TST",
  cn: "cloudsuite-slack",
  ci: "ACME_TST~client",
  cs: "client-secret-value-xyz",
  iu: "https://mingle-ionapi.eu1.inforcloudsuite.com",
  pu: "https://mingle-sso.eu1.inforcloudsuite.com:443/ACME_TST/as/",
  oa: "authorization.oauth2",
  ot: "token.oauth2",
  or: "revoke_token.oauth2",
  saak: "ACME_TST#service-access-key",
  sask: "service-secret-key-value",
});

const valid = {
  SLACK_BOT_TOKEN: "xoxb-1111-2222-abcdefabcdef",
  SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99yyyzzz85a5".replace(/[yz]/g, "a"),
  IONAPI_JSON: ionapi,
};

describe("environment", () => {
  it("accepts a minimal valid environment and applies defaults", () => {
    const r = loadEnv(valid);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env.slackApiUrl).toBe("https://slack.com/api/");
    expect(r.env.redis).toEqual({
      mode: "single",
      url: "redis://127.0.0.1:6379",
      replicaAcks: { replicas: 0, timeoutMs: 500 },
    });
    expect(r.env.port).toBe(3000);
    expect(r.env.routingFile).toBe("routing.yml");
    expect(r.env.redisPrefix).toBe("cs:");
    expect(r.env.auditRetentionDays).toBe(400);
    expect(r.env.auditPostShapes).toBe(true);
    expect(r.env.exceptionRecheckMinutes).toBe(60);
    expect(r.env.slackAppToken).toBeUndefined();
    // Secrets handed to the log scrubber include the .ionapi's own secrets.
    expect(r.secrets).toEqual(
      expect.arrayContaining([
        valid.SLACK_BOT_TOKEN,
        "client-secret-value-xyz",
        "service-secret-key-value",
      ]),
    );
  });

  it("reports every problem at once, each naming its variable", () => {
    const r = loadEnv({
      SLACK_BOT_TOKEN: "xoxp-user-token",
      SLACK_APP_TOKEN: "not-an-app-token",
      SLACK_API_URL: "http://slack.example.com/api/",
      REDIS_URL: "http://localhost:6379",
      LOG_LEVEL: "loud",
      PORT: "99999",
      TIME_ZONE: "Mars/Olympus",
      REDIS_PREFIX: "has spaces and {braces}",
      AUDIT_RETENTION_DAYS: "0",
      EXCEPTION_RECHECK_MINUTES: "-5",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const vars = r.problems.map((p) => p.variable).sort();
    expect(vars).toEqual(
      [
        "IONAPI_FILE",
        "LOG_LEVEL",
        "AUDIT_RETENTION_DAYS",
        "EXCEPTION_RECHECK_MINUTES",
        "PORT",
        "REDIS_PREFIX",
        "REDIS_URL",
        "SLACK_API_URL",
        "SLACK_APP_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "TIME_ZONE",
      ].sort(),
    );
    // A wrong value is never echoed back (it might be a secret pasted into the wrong variable).
    expect(JSON.stringify(r.problems)).not.toContain("xoxp-user-token");
  });

  it("allows plain http only for loopback Slack API URLs (the sandbox)", () => {
    expect(loadEnv({ ...valid, SLACK_API_URL: "http://127.0.0.1:4000/api/" }).ok).toBe(true);
    expect(loadEnv({ ...valid, SLACK_API_URL: "http://[::1]:4000/api/" }).ok).toBe(true);
    expect(loadEnv({ ...valid, SLACK_API_URL: "http://10.0.0.5/api/" }).ok).toBe(false);
  });

  it("refuses a SLACK_API_URL carrying a user name or password, without echoing it", () => {
    for (const url of [
      "https://user:hunter2-secret@slack.example.com/api/",
      "https://:hunter2-secret@slack.example.com/api/",
      "http://hunter2-secret@127.0.0.1:4000/api/",
    ]) {
      const r = loadEnv({ ...valid, SLACK_API_URL: url });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.problems.map((p) => p.variable)).toEqual(["SLACK_API_URL"]);
      expect(JSON.stringify(r.problems)).not.toContain("hunter2");
    }
  });

  it("decrypts enc:v1 values, including a whole encrypted .ionapi file", () => {
    const keys = `k1:${generateKey()}`;
    const ring = parseKeyRing(keys);
    const files: Record<string, string> = { "/etc/acme.ionapi": encryptSecret(ionapi, ring) };
    const r = loadEnv(
      {
        SLACK_BOT_TOKEN: encryptSecret(valid.SLACK_BOT_TOKEN, ring),
        SLACK_SIGNING_SECRET: encryptSecret(valid.SLACK_SIGNING_SECRET, ring),
        IONAPI_FILE: "/etc/acme.ionapi",
        ENCRYPTION_KEYS: keys,
      },
      { readFile: (p) => files[p] ?? "" },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env.slackBotToken).toBe(valid.SLACK_BOT_TOKEN);
    expect(JSON.parse(r.env.ionapiText).ti).toBe("ACME_TST");
  });

  it("names the variable when an envelope cannot be decrypted, never the plaintext", () => {
    const ring = parseKeyRing(`k1:${generateKey()}`);
    const envelope = encryptSecret(valid.SLACK_BOT_TOKEN, ring);
    const wrongKey = loadEnv({
      ...valid,
      SLACK_BOT_TOKEN: envelope,
      ENCRYPTION_KEYS: `k1:${generateKey()}`,
    });
    expect(wrongKey.ok).toBe(false);
    if (wrongKey.ok) return;
    expect(wrongKey.problems).toEqual([
      { variable: "SLACK_BOT_TOKEN", message: expect.stringMatching(/wrong key or tampered/) },
    ]);
    const noKeys = loadEnv({ ...valid, SLACK_BOT_TOKEN: envelope });
    expect(noKeys.ok).toBe(false);
    if (noKeys.ok) return;
    expect(noKeys.problems[0]?.message).toMatch(/ENCRYPTION_KEYS is not set/);
    expect(JSON.stringify(noKeys)).not.toContain(valid.SLACK_BOT_TOKEN);
  });

  it("names an unreadable or non-JSON .ionapi file", () => {
    const missing = loadEnv(
      { ...valid, IONAPI_JSON: undefined, IONAPI_FILE: "/nope.ionapi" },
      {
        readFile: () => {
          throw Object.assign(new Error("no"), { code: "ENOENT" });
        },
      },
    );
    expect(missing.ok || missing.problems[0]).toMatchObject({
      variable: "IONAPI_FILE",
      message: expect.stringContaining("ENOENT"),
    });
    const notJson = loadEnv({ ...valid, IONAPI_JSON: "<html>" });
    expect(notJson.ok || notJson.problems[0]?.variable).toBe("IONAPI_JSON");
  });
});

describe(".ionapi parsed as serve parses it", () => {
  const web = JSON.parse(ionapi);
  delete web.saak;
  delete web.sask;
  web.ru = "https://app.example.com/callback";

  it("refuses a Web-app file without saak/sask, naming the variable and both keys", () => {
    const r = loadEnv({ ...valid, IONAPI_JSON: JSON.stringify(web) });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]).toMatchObject({
      variable: "IONAPI_JSON",
      message: expect.stringMatching(/keys "saak" and "sask": are missing/),
    });
    expect(JSON.stringify(r)).not.toContain(web.cs);
  });

  it("refuses it inside an encrypted IONAPI_FILE too, naming the file", () => {
    const keys = `k1:${generateKey()}`;
    const files: Record<string, string> = {
      "/etc/web.ionapi": encryptSecret(JSON.stringify(web), parseKeyRing(keys)),
    };
    const r = loadEnv(
      { ...valid, IONAPI_JSON: undefined, IONAPI_FILE: "/etc/web.ionapi", ENCRYPTION_KEYS: keys },
      { readFile: (p) => files[p] ?? "" },
    );
    expect(r.ok || r.problems[0]).toMatchObject({
      variable: "IONAPI_FILE",
      message: expect.stringMatching(/^\/etc\/web\.ionapi: .*"saak" and "sask"/),
    });
  });

  it("accepts a real file without cn and or, and reports its tenant", () => {
    const plain = JSON.parse(ionapi);
    delete plain.cn;
    delete plain.or;
    const r = loadEnv({ ...valid, IONAPI_JSON: JSON.stringify(plain) });
    expect(r.ok && r.env.ionapiTenant).toBe("ACME_TST");
  });

  it("refuses the <your Tenant> placeholders", () => {
    const r = loadEnv({
      ...valid,
      IONAPI_JSON: JSON.stringify({ ...JSON.parse(ionapi), ti: "<your Tenant>" }),
    });
    expect(r.ok || r.problems[0]?.message).toMatch(/"ti": still holds a <…> placeholder/);
  });
});

describe("BOD webhook credentials", () => {
  it("reads comma lists, decrypts envelopes in them, and registers them as secrets", () => {
    const keys = `k1:${generateKey()}`;
    const ring = parseKeyRing(keys);
    const r = loadEnv({
      ...valid,
      ENCRYPTION_KEYS: keys,
      BOD_HMAC_SECRETS: `plain-shared-secret-0001, ${encryptSecret("encrypted-shared-secret-2", ring)}`,
      BOD_BEARER_TOKENS: "bearer-token-value-000001",
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env.bodHmacSecrets).toEqual(["plain-shared-secret-0001", "encrypted-shared-secret-2"]);
    expect(r.env.bodBearerTokens).toEqual(["bearer-token-value-000001"]);
    expect(r.env.bodMaxBytes).toBe(2 * 1024 * 1024);
    expect(r.secrets).toEqual(
      expect.arrayContaining(["encrypted-shared-secret-2", "bearer-token-value-000001"]),
    );
  });

  it("refuses short secrets and a silly body bound", () => {
    const r = loadEnv({ ...valid, BOD_HMAC_SECRETS: "short", BOD_MAX_BYTES: "10" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.variable).sort()).toEqual(["BOD_HMAC_SECRETS", "BOD_MAX_BYTES"]);
    expect(JSON.stringify(r.problems)).not.toContain("short");
  });
});

describe("M3 event push credentials", () => {
  it("reads comma lists, decrypts envelopes in them, and registers them as secrets", () => {
    const keys = `k1:${generateKey()}`;
    const ring = parseKeyRing(keys);
    const r = loadEnv({
      ...valid,
      ENCRYPTION_KEYS: keys,
      PUSH_HMAC_SECRETS: encryptSecret("encrypted-push-secret-01", ring),
      PUSH_BEARER_TOKENS: "push-bearer-token-00001, push-bearer-token-00002",
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env.pushHmacSecrets).toEqual(["encrypted-push-secret-01"]);
    expect(r.env.pushBearerTokens).toEqual(["push-bearer-token-00001", "push-bearer-token-00002"]);
    expect(r.env.pushMaxBytes).toBe(1024 * 1024);
    expect(r.secrets).toEqual(
      expect.arrayContaining(["encrypted-push-secret-01", "push-bearer-token-00002"]),
    );
  });

  it("refuses short values and a silly body bound, without echoing them", () => {
    const r = loadEnv({ ...valid, PUSH_BEARER_TOKENS: "tiny", PUSH_MAX_BYTES: "12" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.variable).sort()).toEqual([
      "PUSH_BEARER_TOKENS",
      "PUSH_MAX_BYTES",
    ]);
    expect(JSON.stringify(r.problems)).not.toContain("tiny");
  });

  it("AUDIT_POST_SHAPES: off writes post entries as JSON; anything but on / off is refused by name", () => {
    const off = loadEnv({ ...valid, AUDIT_POST_SHAPES: "off" });
    expect(off.ok && off.env.auditPostShapes).toBe(false);
    const bad = loadEnv({ ...valid, AUDIT_POST_SHAPES: "no" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.variable)).toEqual(["AUDIT_POST_SHAPES"]);
  });
});
