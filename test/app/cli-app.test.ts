import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import { captureIo } from "../cli/capture-io.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `test:cli-app:${randomBytes(4).toString("hex")}:`;
const dir = mkdtempSync(join(tmpdir(), "cs-cli-app-"));
const routingFile = join(dir, "routing.yml");
writeFileSync(
  routingFile,
  `version: 1
channels: { ap: C0APGENERAL, ops: C0FINOPS01 }
defaultChannel: ap
opsChannel: ops
tenants:
  - id: ACME_TST
    companies:
      - company: 100
        schedules:
          supplier_invoice: { every: 5m }
`,
);
const IONAPI = JSON.stringify({
  ti: "ACME_TST",
  cn: "test",
  ci: "ACME_TST~client",
  cs: "client-secret-value-123",
  iu: "https://mingle-ionapi.example.test",
  pu: "https://mingle-sso.example.test:443/ACME_TST/as/",
  oa: "authorization.oauth2",
  ot: "token.oauth2",
  or: "revoke_token.oauth2",
  saak: "ACME_TST#saak-value",
  sask: "sask-secret-value-456",
});

const goodEnv = {
  SLACK_BOT_TOKEN: "xoxb-test-token-0000",
  SLACK_SIGNING_SECRET: "0123456789abcdef0123",
  SLACK_API_URL: "http://127.0.0.1:9/api/",
  REDIS_URL,
  IONAPI_JSON: IONAPI,
  ROUTING_FILE: routingFile,
  REDIS_PREFIX: prefix,
  LOG_LEVEL: "silent",
};

const io = captureIo;

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe("commands that run the app", () => {
  it("lists every environment problem and exits 2, for each of them", async () => {
    for (const argv of [
      ["serve"],
      ["replay", "--dead-letters"],
      ["backfill", "--entity", "supplier_invoice", "--since", "2026-11-01"],
      ["audit", "export"],
    ]) {
      const t = io({ ROUTING_FILE: routingFile });
      expect(await runCli(argv, t.io)).toBe(2);
      expect(t.err()).toContain("SLACK_BOT_TOKEN is missing");
      expect(t.err()).toContain("SLACK_SIGNING_SECRET is missing");
      expect(t.err()).toContain("IONAPI_FILE is missing");
      expect(t.err()).not.toMatch(/\n\s+at /);
    }
  });

  it("refuses a bad role, a replay without a target and a backfill without its flags", async () => {
    const a = io(goodEnv);
    expect(await runCli(["serve", "--role", "cron"], a.io)).toBe(2);
    expect(a.err()).toContain("--role must be web, worker, scheduler or all");
    const b = io(goodEnv);
    expect(await runCli(["replay"], b.io)).toBe(2);
    expect(b.err()).toContain("say what to replay");
    const c = io(goodEnv);
    expect(await runCli(["backfill", "--entity", "invoice"], c.io)).toBe(2);
    const d = io(goodEnv);
    expect(await runCli(["replay", "--since", "yesterday"], d.io)).toBe(2);
    expect(d.err()).toContain("not an ISO date");
  });

  it("replays and exports against Redis with a valid configuration", async () => {
    const r = io(goodEnv);
    expect(await runCli(["replay", "--alert", "nope"], r.io)).toBe(0);
    expect(JSON.parse(r.out())).toMatchObject({ requeued: 0, alreadyDelivered: 0 });
    const e = io(goodEnv);
    expect(await runCli(["audit", "export", "--since", "2026-01-01"], e.io)).toBe(0);
    expect(e.out()).toBe("");
    expect(e.err()).toContain("0 entries exported");
  });

  it("backfill names a scope without a schedule", async () => {
    const t = io(goodEnv);
    expect(await runCli(["backfill", "--entity", "payment", "--since", "2026-11-01"], t.io)).toBe(
      2,
    );
    expect(t.err()).toContain("no schedule polls payment");
  });

  it("serve names a routing tenant without credentials", async () => {
    const other = join(dir, "other.yml");
    writeFileSync(
      other,
      `version: 1
channels: { ap: C0APGENERAL }
defaultChannel: ap
opsChannel: ap
tenants:
  - id: OTHER_PRD
    companies: [{ company: 100 }]
`,
    );
    const t = io({ ...goodEnv, ROUTING_FILE: other, PORT: "0" });
    expect(await runCli(["serve", "--role", "worker"], t.io)).toBe(2);
    expect(t.err()).toContain('tenant "OTHER_PRD" has no .ionapi');
  });
});
