import { describe, expect, it } from "vitest";
import { webhookRoutes } from "../../src/app/webhooks.ts";
import { loadEnv } from "../../src/config/env.ts";
import { parseRouting } from "../../src/config/routing-load.ts";
import type { RoutingConfig } from "../../src/config/routing-schema.ts";
import { explainWebhooks } from "../../src/config/webhook-explain.ts";
import { encryptSecret, generateKey, parseKeyRing } from "../../src/security/envelope.ts";
import { paymentAlert } from "../delivery/emu.ts";

const BASE = `version: 1
channels: { ap: C0APGENERAL, ops: C0FINOPS01, fac: C0CCFACIL1 }
defaultChannel: ap
opsChannel: ops
tenants:
  - id: ACME_TST
    companies: [{ company: 100 }]
`;

function routing(webhooks: string): RoutingConfig {
  const r = parseRouting(`${BASE}${webhooks}`);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

function problems(webhooks: string): string {
  const r = parseRouting(`${BASE}${webhooks}`);
  return r.ok ? "" : JSON.stringify(r.problems);
}

const SECRET = "whsec_app_test_0123456789";

describe("routing.yml webhooks", () => {
  it("mirror the listed channels' alerts to their webhook target, and nothing else", () => {
    const r = routing(`webhooks:
  erp-feed:
    url: https://hooks.example.com/in
    channels: [fac]
`);
    const w = webhookRoutes(r, { "erp-feed": SECRET });
    expect(w.destinations.map((d) => d.owns("webhook:erp-feed"))).toEqual([true]);
    expect(w.mirrors(paymentAlert(1, "C0CCFACIL1"))).toEqual(["webhook:erp-feed"]);
    expect(w.mirrors(paymentAlert(1, "C0APGENERAL"))).toEqual([]);
  });

  it("refuse a missing secret, an unknown channel alias and a plain-http non-loopback URL", () => {
    const r = routing(`webhooks:
  erp-feed: { url: "https://hooks.example.com/in", channels: [fac] }
`);
    expect(() => webhookRoutes(r, {})).toThrow(
      'routing.yml webhooks.erp-feed: no secret for "erp-feed" in WEBHOOK_SECRETS',
    );
    expect(
      problems(`webhooks:\n  x: { url: "https://h.example.com/", channels: [facc] }\n`),
    ).toContain('channel \\"facc\\" is not defined under channels; did you mean \\"fac\\"?');
    expect(
      problems(`webhooks:\n  x: { url: "http://h.example.com/", channels: [fac] }\n`),
    ).toContain("plain http only for loopback");
    expect(problems(`webhooks:\n  x: { url: "http://127.0.0.1:9/", channels: [fac] }\n`)).toBe("");
  });

  it("are explained by check-config: routes and origin only (a path may be a credential); a missing secret is a problem", () => {
    const r = routing(`webhooks:
  erp-feed: { url: "https://hooks.example.com/T0/B0/s3cr3tpath", channels: [fac, ap] }
`);
    const out = explainWebhooks(r, new Set());
    expect(out.lines).toEqual([
      "webhook: erp-feed → https://hooks.example.com: record and exception alerts of #fac, #ap, 10/s, look-up hook off (a receiver must de-duplicate by Idempotency-Key)",
    ]);
    expect(JSON.stringify(out)).not.toContain("s3cr3tpath");
    expect(out.problems).toEqual([
      'WEBHOOK_SECRETS: no secret for webhook "erp-feed" (routing.yml webhooks.erp-feed)',
    ]);
    expect(explainWebhooks(r, new Set(["erp-feed"])).problems).toEqual([]);
    expect(explainWebhooks(r, undefined).problems).toEqual([]);
  });

  it("take their secrets from WEBHOOK_SECRETS, plain or enc:v1, and hand them to the log scrubber", () => {
    const ring = parseKeyRing(`k1:${generateKey()}`);
    const sealed = encryptSecret("whsec_sealed_abcdef0123", ring);
    const r = loadEnv({
      SLACK_BOT_TOKEN: "xoxb-1111-2222-abcdefabcdef",
      SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99aaaaaa85a5",
      IONAPI_JSON: JSON.stringify({
        ti: "ACME_TST",
        cn: "c",
        ci: "ACME_TST~client",
        cs: "client-secret-value-xyz",
        iu: "https://mingle-ionapi.eu1.inforcloudsuite.com",
        pu: "https://mingle-sso.eu1.inforcloudsuite.com:443/ACME_TST/as/",
        oa: "authorization.oauth2",
        ot: "token.oauth2",
        or: "revoke_token.oauth2",
        saak: "ACME_TST#sak",
        sask: "service-secret-key-value",
      }),
      ENCRYPTION_KEYS: [...ring.keys.entries()]
        .map(([id, k]) => `${id}:${k.toString("base64")}`)
        .join(","),
      WEBHOOK_SECRETS: `erp-feed:${SECRET},other:${sealed}`,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.env.webhookSecrets).toEqual({ "erp-feed": SECRET, other: "whsec_sealed_abcdef0123" });
    expect(r.secrets).toEqual(expect.arrayContaining([SECRET, "whsec_sealed_abcdef0123"]));
    const bad = loadEnv({ ...valid(), WEBHOOK_SECRETS: "erp-feed:short" });
    expect(bad.ok ? [] : bad.problems).toEqual([
      {
        variable: "WEBHOOK_SECRETS",
        message: "the secret of erp-feed must be at least 16 characters",
      },
    ]);
  });
});

function valid() {
  return {
    SLACK_BOT_TOKEN: "xoxb-1111-2222-abcdefabcdef",
    SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99aaaaaa85a5",
    IONAPI_JSON: JSON.stringify({
      ti: "ACME_TST",
      cn: "c",
      ci: "ACME_TST~client",
      cs: "client-secret-value-xyz",
      iu: "https://mingle-ionapi.eu1.inforcloudsuite.com",
      pu: "https://mingle-sso.eu1.inforcloudsuite.com:443/ACME_TST/as/",
      oa: "authorization.oauth2",
      ot: "token.oauth2",
      or: "revoke_token.oauth2",
      saak: "ACME_TST#sak",
      sask: "service-secret-key-value",
    }),
  };
}
