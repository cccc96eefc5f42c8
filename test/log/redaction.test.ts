import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/env.ts";
import { createLogger, SecretScrubber } from "../../src/log/logger.ts";
import {
  decryptSecret,
  encryptSecret,
  generateKey,
  parseKeyRing,
} from "../../src/security/envelope.ts";

/** Known secret values: the test fails if any of them reaches the captured output. */
const SECRETS = {
  bot: "xoxb-9999-8888-secretbotvalue",
  app: "xapp-1-A111-secretappvalue",
  signing: "0123456789abcdef0123456789abcdef",
  clientSecret: "ION-client-secret-7f3a9b",
  saak: "ACME_TST#service-access-key-42",
  sask: "service-secret-key-99z",
  access: "opaque-access-token-abcdef123456",
  refresh: "opaque-refresh-token-zyx987654",
};

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

describe("logging never leaks secrets", () => {
  it("redacts secret fields at every depth we log and scrubs known values anywhere", () => {
    const { lines, stream } = capture();
    const scrubber = new SecretScrubber();
    const ionapi = JSON.stringify({
      ti: "ACME_TST",
      cn: "app",
      ci: "ACME_TST~ci",
      cs: SECRETS.clientSecret,
      iu: "https://ion.example",
      pu: "https://sso.example/ACME_TST/as/",
      oa: "a",
      ot: "t",
      or: "r",
      saak: SECRETS.saak,
      sask: SECRETS.sask,
    });
    const env = loadEnv({
      SLACK_BOT_TOKEN: SECRETS.bot,
      SLACK_SIGNING_SECRET: SECRETS.signing,
      SLACK_APP_TOKEN: SECRETS.app,
      IONAPI_JSON: ionapi,
    });
    expect(env.ok).toBe(true);
    if (!env.ok) return;
    scrubber.add(...env.secrets, SECRETS.access, SECRETS.refresh);
    const log = createLogger({ level: "trace", destination: stream, scrubber }).child({
      module: "test",
    });

    // The shapes our modules log: HTTP requests, OAuth replies, config, errors, free text.
    log.info(
      {
        req: {
          headers: { authorization: `Bearer ${SECRETS.access}`, "x-slack-signature": "v0=abc" },
        },
      },
      "request",
    );
    log.info(
      { headers: { Authorization: `Basic ${Buffer.from("ci:cs").toString("base64")}` } },
      "token call",
    );
    log.debug(
      { reply: { access_token: SECRETS.access, refresh_token: SECRETS.refresh, expires_in: 7200 } },
      "signed in",
    );
    log.debug({ ionapi: JSON.parse(ionapi) }, "loaded .ionapi");
    log.debug(
      {
        config: {
          slack: { botToken: SECRETS.bot, signingSecret: SECRETS.signing, appToken: SECRETS.app },
        },
      },
      "config",
    );
    log.error({ err: new Error(`token ${SECRETS.access} rejected`) }, "refresh failed");
    log.warn(`calling with client secret ${SECRETS.clientSecret} and ${SECRETS.sask}`);
    log.info({ list: [{ token: SECRETS.refresh }] }, "arrays are covered by the scrubber");

    const out = lines.join("");
    expect(lines.length).toBe(8);
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(out.includes(value), `${name} leaked`).toBe(false);
    }
    expect(out).toContain("[REDACTED]");
    // Non-secret context survives.
    expect(out).toContain('"expires_in":7200');
    expect(out).toContain('"module":"test"');
  });

  it("redacts decrypted envelope values too", () => {
    const ring = parseKeyRing(`k1:${generateKey()}`);
    const plaintext = decryptSecret(encryptSecret(SECRETS.bot, ring), ring);
    const { lines, stream } = capture();
    const scrubber = new SecretScrubber();
    scrubber.add(plaintext);
    createLogger({ destination: stream, scrubber }).info({ note: `bad token ${plaintext}` });
    expect(lines.join("")).not.toContain(SECRETS.bot);
  });
});
