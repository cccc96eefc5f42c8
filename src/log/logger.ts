import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

/**
 * Field names that carry secrets anywhere in our objects: HTTP headers, OAuth replies, the
 * `.ionapi` keys (cs = client secret, saak/sask = service-account keys), Slack credentials.
 */
export const SECRET_FIELDS = [
  "authorization",
  "Authorization",
  "cookie",
  "token",
  "access_token",
  "refresh_token",
  "accessToken",
  "refreshToken",
  "client_secret",
  "clientSecret",
  "password",
  "secret",
  "cs",
  "saak",
  "sask",
  "signingSecret",
  "signing_secret",
  "botToken",
  "bot_token",
  "appToken",
  "app_token",
  "encryptionKeys",
  "x-slack-signature",
] as const;

/**
 * pino's `*.x` matches exactly one level and `**` silently matches nothing (toolchain notes), so
 * every depth we log at is listed. Deeper or unknown places are covered by the value scrubber.
 */
export function redactPaths(maxDepth = 4): string[] {
  const paths: string[] = [];
  for (const field of SECRET_FIELDS) {
    const plain = /^[A-Za-z_$][\w$]*$/.test(field);
    for (let depth = 0; depth < maxDepth; depth++) {
      const wildcards = Array.from({ length: depth }, () => "*");
      if (plain) paths.push([...wildcards, field].join("."));
      else paths.push(`${wildcards.join(".")}["${field}"]`);
    }
  }
  return paths;
}

/**
 * Values known to be secret (loaded credentials) are replaced wherever they appear in a line,
 * including inside error messages and URLs that a path-based redact cannot see.
 */
export class SecretScrubber {
  #values: string[] = [];

  add(...values: (string | undefined)[]): void {
    for (const v of values) {
      // Very short values would blank out ordinary words; real credentials are long.
      if (v && v.length >= 8 && !this.#values.includes(v)) {
        this.#values.push(v);
        // JSON-escaped form too, since log lines are JSON.
        const escaped = JSON.stringify(v).slice(1, -1);
        if (escaped !== v) this.#values.push(escaped);
      }
    }
    this.#values.sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const v of this.#values) if (out.includes(v)) out = out.split(v).join("[REDACTED]");
    return out;
  }
}

export const secretScrubber = new SecretScrubber();

export interface CreateLoggerOptions {
  level?: string;
  name?: string;
  destination?: DestinationStream;
  scrubber?: SecretScrubber;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const scrubber = options.scrubber ?? secretScrubber;
  const config: LoggerOptions = {
    name: options.name ?? "cloudsuite-slack",
    level: options.level ?? "info",
    redact: { paths: redactPaths(), censor: "[REDACTED]" },
    hooks: {
      streamWrite: (line: string) => scrubber.scrub(line),
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger for library code that was given none. */
export const silentLogger: Logger = pino({ level: "silent" });
