import { readFileSync } from "node:fs";
import { z } from "zod";
import { IonapiError } from "../infor/errors.ts";
import { parseIonapi } from "../infor/ionapi.ts";
import {
  decryptSecret,
  EnvelopeError,
  isEnvelope,
  type KeyRing,
  parseKeyRing,
} from "../security/envelope.ts";
import { codeOf } from "../shared/error-code.ts";
import { CLUSTER_KEY_PREFIX, DEFAULT_KEY_PREFIX } from "../shared/key-prefix.ts";
import { clusterPrefixProblem, type RedisTarget } from "../shared/redis-client.ts";
import { isLoopbackHost } from "../shared/urls.ts";
import { parseRedisTarget, REDIS_ENV_DOC } from "./redis-env.ts";

/**
 * The process environment, validated at once: every problem is reported together (an admin
 * fixing one variable at a time at 2 a.m. is what we avoid), each naming the variable.
 * Values may be `enc:v1:` envelopes; they are decrypted here and never echoed.
 */
export interface AppEnv {
  slackBotToken: string;
  slackSigningSecret: string;
  slackAppToken: string | undefined;
  slackApiUrl: string;
  /** Single node (REDIS_URL), Sentinel or Cluster (redis-env.ts). */
  redis: RedisTarget;
  /** `.ionapi` JSON text, decrypted, from IONAPI_FILE or IONAPI_JSON. */
  ionapiText: string;
  /** The `.ionapi` file's `ti`: every routing.yml tenant must be this one. */
  ionapiTenant: string;
  ionapiSource: string;
  keyRing: KeyRing | undefined;
  routingFile: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  port: number;
  timeZone: string;
  /** Shared secrets for `X-Bod-Signature` on POST /ion/bod (several during rotation). */
  bodHmacSecrets: string[];
  bodBearerTokens: string[];
  bodMaxBytes: number;
  /** Shared secrets for `X-Push-Signature` on POST /m3/events (M3 event push). */
  pushHmacSecrets: string[];
  pushBearerTokens: string[];
  pushMaxBytes: number;
  /** Every Redis key starts with this, so several deployments (or tests) can share one Redis. */
  redisPrefix: string;
  /** Audit entries older than this many days are dropped (hourly). */
  auditRetentionDays: number;
  /** AUDIT_POST_SHAPES: write a post's audit entries in their short shapes (false: JSON). */
  auditPostShapes: boolean;
  /** How often invoices with open exceptions are re-checked against fresh PO data; 0 = never. */
  exceptionRecheckMinutes: number;
  /** Signing secret per routing.yml webhook name (WEBHOOK_SECRETS), decrypted. */
  webhookSecrets: Record<string, string>;
}

export interface EnvProblem {
  variable: string;
  message: string;
}

export type EnvResult =
  | { ok: true; env: AppEnv; secrets: string[] }
  | { ok: false; problems: EnvProblem[] };

export const ENV_DOC: Record<string, string> = {
  SLACK_BOT_TOKEN: "bot token (xoxb-…), plain or enc:v1 envelope; required",
  SLACK_SIGNING_SECRET: "signing secret from the app's Basic Information page; required",
  SLACK_APP_TOKEN: "app-level token (xapp-…) to use Socket Mode instead of a public URL; optional",
  SLACK_API_URL:
    "Web API base URL; default https://slack.com/api/ (the sandbox points it at the emulator)",
  ...REDIS_ENV_DOC,
  IONAPI_FILE: "path of the .ionapi file (plain JSON or an enc:v1 envelope); this or IONAPI_JSON",
  IONAPI_JSON: "the .ionapi content inline (plain JSON or an enc:v1 envelope); this or IONAPI_FILE",
  ENCRYPTION_KEYS:
    "id:base64key[,id:base64key…]; the first encrypts, all decrypt; required when any value is encrypted",
  ROUTING_FILE: "path of routing.yml; default routing.yml",
  LOG_LEVEL: "fatal|error|warn|info|debug|trace|silent; default info",
  PORT: "HTTP port for Slack requests and health routes; default 3000",
  TIME_ZONE: "IANA time zone for times shown to people; default UTC",
  WEBHOOK_SECRETS:
    "name:secret[,name:secret…] signing secret per routing.yml webhook (each plain or an enc:v1 envelope); optional",
  BOD_HMAC_SECRETS: "comma-separated shared secrets for POST /ion/bod signatures; optional",
  BOD_BEARER_TOKENS: "comma-separated bearer tokens accepted on POST /ion/bod; optional",
  BOD_MAX_BYTES: "body bound for BODs in bytes; default 2097152 (2 MiB)",
  PUSH_HMAC_SECRETS:
    "comma-separated shared secrets for POST /m3/events signatures (X-Push-Signature); optional",
  PUSH_BEARER_TOKENS: "comma-separated bearer tokens accepted on POST /m3/events; optional",
  PUSH_MAX_BYTES: "body bound for M3 event pushes in bytes; default 1048576 (1 MiB)",
  REDIS_PREFIX:
    "prefix of every Redis key, to share one Redis between deployments; default cs: ({cs}: for Cluster, which needs a {hash tag})",
  AUDIT_RETENTION_DAYS: "audit entries older than this are dropped, hourly; default 400",
  AUDIT_POST_SHAPES:
    "on (default) writes a post's audit entries in short shapes; off writes JSON, which the release before the shapes can read (set it for one release while its replicas may still run)",
  EXCEPTION_RECHECK_MINUTES:
    "re-check open match exceptions against fresh POs this often; 0 = never; default 60",
};

const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const SECRET_VARIABLES = [
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "IONAPI_JSON",
];

export interface LoadEnvOptions {
  readFile?: (path: string) => string;
}

export function loadEnv(
  source: Record<string, string | undefined>,
  options: LoadEnvOptions = {},
): EnvResult {
  const problems: EnvProblem[] = [];
  const secrets: string[] = [];
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  const raw = (name: string): string | undefined => {
    const v = source[name]?.trim();
    return v === "" ? undefined : v;
  };
  const problem = (variable: string, message: string) => problems.push({ variable, message });

  let keyRing: KeyRing | undefined;
  const keysSpec = raw("ENCRYPTION_KEYS");
  if (keysSpec) {
    try {
      keyRing = parseKeyRing(keysSpec);
      for (const k of keyRing.keys.values()) secrets.push(k.toString("base64"));
    } catch (err) {
      problem("ENCRYPTION_KEYS", err instanceof EnvelopeError ? err.message : "invalid");
    }
  }

  /** Decrypt a value that is an envelope; on failure record a problem and return undefined. */
  const reveal = (variable: string, value: string | undefined): string | undefined => {
    if (value === undefined || !isEnvelope(value)) return value;
    if (!keyRing) {
      if (!keysSpec) problem(variable, "is encrypted (enc:v1) but ENCRYPTION_KEYS is not set");
      return undefined;
    }
    try {
      return decryptSecret(value, keyRing);
    } catch (err) {
      problem(variable, err instanceof EnvelopeError ? err.message : "cannot be decrypted");
      return undefined;
    }
  };

  const required = (name: string, pattern: RegExp | undefined, expected: string) => {
    const value = reveal(name, raw(name));
    if (raw(name) === undefined) problem(name, `is missing: expected ${expected}`);
    else if (value !== undefined && pattern && !pattern.test(value)) {
      problem(name, `has the wrong form: expected ${expected}`);
    }
    return value;
  };

  const slackBotToken = required("SLACK_BOT_TOKEN", /^xoxb-/, "a bot token starting with xoxb-");
  const slackSigningSecret = required(
    "SLACK_SIGNING_SECRET",
    /^[0-9a-f]{16,}$/i,
    "the app's signing secret (hex)",
  );
  const slackAppToken = reveal("SLACK_APP_TOKEN", raw("SLACK_APP_TOKEN"));
  if (slackAppToken !== undefined && !slackAppToken.startsWith("xapp-")) {
    problem(
      "SLACK_APP_TOKEN",
      "has the wrong form: expected an app-level token starting with xapp-",
    );
  }

  const slackApiUrl = raw("SLACK_API_URL") ?? "https://slack.com/api/";
  checkUrl("SLACK_API_URL", slackApiUrl, ["https:"], true, problem);
  // Slack's Web API takes the token in a header, never in the URL; the Web API client also puts
  // its base URL into its own log lines and errors, outside our redaction.
  if (hasCredentials(slackApiUrl)) {
    problem(
      "SLACK_API_URL",
      "must not carry a user name or password (the bot token is sent apart)",
    );
  }
  const redis = parseRedisTarget(raw, reveal, problem, secrets);

  let ionapiText: string | undefined;
  let ionapiSource = "";
  const ionapiFile = raw("IONAPI_FILE");
  const ionapiJson = raw("IONAPI_JSON");
  if (ionapiFile && ionapiJson) {
    problem("IONAPI_FILE", "and IONAPI_JSON are both set: keep one");
  } else if (ionapiFile) {
    ionapiSource = ionapiFile;
    try {
      ionapiText = reveal("IONAPI_FILE", readFile(ionapiFile).trim());
    } catch (err) {
      const code = codeOf(err) ?? "unreadable";
      problem("IONAPI_FILE", `cannot read ${ionapiFile} (${code})`);
    }
  } else if (ionapiJson) {
    ionapiSource = "IONAPI_JSON";
    ionapiText = reveal("IONAPI_JSON", ionapiJson);
  } else {
    problem("IONAPI_FILE", "is missing: set IONAPI_FILE (path of the .ionapi file) or IONAPI_JSON");
  }
  let ionapiTenant: string | undefined;
  if (ionapiText !== undefined) {
    // Exactly what `serve` accepts (src/app/infor.ts): keys, URLs, placeholders, service account.
    try {
      ionapiTenant = parseIonapi(ionapiText).tenant;
    } catch (err) {
      const variable = ionapiFile ? "IONAPI_FILE" : "IONAPI_JSON";
      problem(
        variable,
        err instanceof IonapiError && err.key === "(file)"
          ? "is not valid JSON (.ionapi content)"
          : `${ionapiSource === "IONAPI_JSON" ? "" : `${ionapiSource}: `}${(err as Error).message}`,
      );
    }
  }

  const level = logLevel.safeParse(raw("LOG_LEVEL") ?? "info");
  if (!level.success) problem("LOG_LEVEL", `expected one of ${logLevel.options.join(", ")}`);

  const portText = raw("PORT") ?? "3000";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) problem("PORT", "expected a port number 0-65535");

  const timeZone = raw("TIME_ZONE") ?? "UTC";
  if (!isTimeZone(timeZone)) problem("TIME_ZONE", `"${timeZone}" is not an IANA time zone`);

  /** Comma lists of secrets; each item may itself be an envelope. */
  const secretList = (name: string): string[] =>
    (raw(name) ?? "")
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean)
      .flatMap((v) => reveal(name, v) ?? []);
  const bodHmacSecrets = secretList("BOD_HMAC_SECRETS");
  const bodBearerTokens = secretList("BOD_BEARER_TOKENS");
  const bodMaxText = raw("BOD_MAX_BYTES") ?? "2097152";
  const bodMaxBytes = Number(bodMaxText);
  if (!/^\d+$/.test(bodMaxText) || bodMaxBytes < 1024) {
    problem("BOD_MAX_BYTES", "expected a number of bytes, at least 1024");
  }
  for (const v of [...bodHmacSecrets, ...bodBearerTokens]) {
    if (v.length < 16) {
      problem(
        bodHmacSecrets.includes(v) ? "BOD_HMAC_SECRETS" : "BOD_BEARER_TOKENS",
        "each value must be at least 16 characters",
      );
      break;
    }
  }
  secrets.push(...bodHmacSecrets, ...bodBearerTokens);
  const pushHmacSecrets = secretList("PUSH_HMAC_SECRETS");
  const pushBearerTokens = secretList("PUSH_BEARER_TOKENS");
  const pushMaxText = raw("PUSH_MAX_BYTES") ?? "1048576";
  const pushMaxBytes = Number(pushMaxText);
  if (!/^\d+$/.test(pushMaxText) || pushMaxBytes < 1024) {
    problem("PUSH_MAX_BYTES", "expected a number of bytes, at least 1024");
  }
  for (const v of [...pushHmacSecrets, ...pushBearerTokens]) {
    if (v.length < 16) {
      problem(
        pushHmacSecrets.includes(v) ? "PUSH_HMAC_SECRETS" : "PUSH_BEARER_TOKENS",
        "each value must be at least 16 characters",
      );
      break;
    }
  }
  secrets.push(...pushHmacSecrets, ...pushBearerTokens);
  const webhookSecrets: Record<string, string> = {};
  for (const item of (raw("WEBHOOK_SECRETS") ?? "").split(",").map((v) => v.trim())) {
    if (!item) continue;
    // name:secret; the secret may be an envelope (enc:v1:…), so split at the first colon only.
    const at = item.indexOf(":");
    const name = at > 0 ? item.slice(0, at) : "";
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) {
      problem(
        "WEBHOOK_SECRETS",
        "expected name:secret[,name:secret…] with names as in routing.yml",
      );
      continue;
    }
    const value = reveal("WEBHOOK_SECRETS", item.slice(at + 1));
    if (value === undefined) continue;
    if (value.length < 16) {
      problem("WEBHOOK_SECRETS", `the secret of ${name} must be at least 16 characters`);
      continue;
    }
    webhookSecrets[name] = value;
  }
  secrets.push(...Object.values(webhookSecrets));
  const wholeNumber = (name: string, fallback: number, min: number, max: number): number => {
    const text = raw(name) ?? String(fallback);
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) {
      problem(name, `expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const auditRetentionDays = wholeNumber("AUDIT_RETENTION_DAYS", 400, 1, 3650);
  const shapesText = raw("AUDIT_POST_SHAPES") ?? "on";
  if (shapesText !== "on" && shapesText !== "off")
    problem("AUDIT_POST_SHAPES", "expected on or off");
  const auditPostShapes = shapesText !== "off";
  const exceptionRecheckMinutes = wholeNumber("EXCEPTION_RECHECK_MINUTES", 60, 0, 10_080);
  const redisPrefix =
    raw("REDIS_PREFIX") ?? (redis.mode === "cluster" ? CLUSTER_KEY_PREFIX : DEFAULT_KEY_PREFIX);
  if (!/^[\w.:{}-]{1,64}$/.test(redisPrefix)) {
    problem("REDIS_PREFIX", "expected up to 64 letters, digits, or . : _ - { }");
  } else if (redis.mode === "cluster") {
    const why = clusterPrefixProblem(redisPrefix);
    if (why) problem("REDIS_PREFIX", why);
  }

  for (const name of SECRET_VARIABLES) {
    const v = raw(name);
    if (v) secrets.push(v);
  }
  for (const v of [slackBotToken, slackSigningSecret, slackAppToken]) if (v) secrets.push(v);
  if (ionapiText) secrets.push(...ionapiSecrets(ionapiText));

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    secrets,
    env: {
      slackBotToken: slackBotToken as string,
      slackSigningSecret: slackSigningSecret as string,
      slackAppToken,
      slackApiUrl,
      redis,
      ionapiText: ionapiText as string,
      ionapiTenant: ionapiTenant as string,
      ionapiSource,
      keyRing,
      routingFile: raw("ROUTING_FILE") ?? "routing.yml",
      logLevel: level.success ? level.data : "info",
      port,
      timeZone,
      bodHmacSecrets,
      bodBearerTokens,
      bodMaxBytes,
      pushHmacSecrets,
      pushBearerTokens,
      pushMaxBytes,
      redisPrefix,
      auditRetentionDays,
      auditPostShapes,
      exceptionRecheckMinutes,
      webhookSecrets,
    },
  };
}

function hasCredentials(value: string): boolean {
  try {
    const url = new URL(value);
    return url.username !== "" || url.password !== "";
  } catch {
    return false;
  }
}

function checkUrl(
  variable: string,
  value: string,
  protocols: string[],
  loopbackMayBeHttp: boolean,
  problem: (variable: string, message: string) => void,
): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problem(variable, "is not a URL");
    return;
  }
  const allowed =
    protocols.includes(url.protocol) ||
    (loopbackMayBeHttp && url.protocol === "http:" && isLoopbackHost(url.hostname));
  if (!allowed) {
    const loopback = loopbackMayBeHttp ? " (plain http only for loopback addresses)" : "";
    problem(variable, `must use ${protocols.join(" or ")}${loopback}`);
  }
}

/** The `.ionapi` values that must never be logged, for the log scrubber. */
function ionapiSecrets(text: string): string[] {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return ["cs", "saak", "sask"].flatMap((k) =>
      typeof parsed[k] === "string" ? [parsed[k]] : [],
    );
  } catch {
    return [];
  }
}

export function formatEnvProblems(problems: EnvProblem[]): string {
  const lines = problems.map((p) => `  ${p.variable} ${p.message}`);
  return `Configuration error: ${problems.length} problem${problems.length === 1 ? "" : "s"} in the environment\n${lines.join("\n")}\n`;
}
